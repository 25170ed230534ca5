import Foundation
import Testing
@testable import WinnowCore

@Suite struct BurstSummaryTests {
    func summary(_ kinds: [VerdictKind], subject: String = "anne-hathaway") -> BurstSummary {
        var summary = BurstSummary(subject: subject)
        for (index, kind) in kinds.enumerated() { summary.verdicts[Int64(index + 1)] = kind }
        return summary
    }

    @Test func readsLikeTheIssueExample() {
        let kinds = Array(repeating: VerdictKind.kept, count: 9) + [.duplicate, .duplicate, .upscaled]
        let text = summary(kinds).sentence(missing: ["profile right", "looking down"])
        #expect(text == "Anne Hathaway: +12 images — 9 kept, 2 duplicates, 1 upscaled. Still missing: profile right, looking down.")
    }

    @Test func singularWordsForOneFile() {
        let one = summary([.duplicate])
        #expect(one.title == "Anne Hathaway: +1 image")
        #expect(one.body(missing: nil) == "1 duplicate.")
    }

    @Test func unknownCoverageSaysNothingAndCompleteCoverageSaysSo() {
        #expect(summary([.kept]).body(missing: nil) == "1 kept.")
        #expect(summary([.kept]).body(missing: []) == "1 kept. All angles covered.")
    }

    @Test func unreadableFilesRaiseTheUrgency() {
        #expect(summary([.kept, .blurry]).urgency == .low)
        #expect(summary([.kept, .unreadable]).urgency == .normal)
        #expect(summary([.notImage]).urgency == .normal)
    }

    @Test func subjectFolderNamesReadAsNames() {
        #expect(SubjectName.display("anne-hathaway") == "Anne Hathaway")
        #expect(SubjectName.display("jean_luc picard") == "Jean Luc Picard")
    }
}

@Suite struct BurstTrackerTests {
    let layout = LibraryLayout(root: URL(fileURLWithPath: "/lib"))
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func row(_ id: Int64, _ kind: VerdictKind, subject: String = "anne") -> FileRecord {
        var row = FileRecord(subject: subject, sourcePath: "/drop/\(id).jpg", size: 1, mtime: 0)
        row.id = id
        row.state = .placed
        row.verdict = kind
        return row
    }

    @Test func filesCloseTogetherShareOneBubbleUpdatedInPlace() {
        var tracker = BurstTracker(settings: NotifySettings(burstSeconds: 5), layout: layout)
        tracker.record(row(1, .kept), at: start)
        let first = tracker.due(at: start + 1) { _ in nil }
        tracker.record(row(2, .duplicate), at: start + 3)
        let second = tracker.due(at: start + 4) { _ in nil }
        #expect(first.count == 1 && second.count == 1)
        #expect(first[0].slot == second[0].slot)
        #expect(second[0].summary == "Anne: +2 images")
        #expect(second[0].body == "1 kept, 1 duplicate.")
        #expect(second[0].folder?.path == "/lib/anne")
    }

    @Test func nothingNewMeansNothingShown() {
        var tracker = BurstTracker(settings: NotifySettings(burstSeconds: 5), layout: layout)
        tracker.record(row(1, .kept), at: start)
        _ = tracker.due(at: start + 1) { _ in nil }
        #expect(tracker.due(at: start + 2) { _ in nil }.isEmpty)
        #expect(!tracker.isIdle)
        #expect(tracker.due(at: start + 7) { _ in nil }.isEmpty)
        #expect(tracker.isIdle)
    }

    @Test func aPauseLongerThanTheBurstStartsANewBubble() {
        var tracker = BurstTracker(settings: NotifySettings(burstSeconds: 5), layout: layout)
        tracker.record(row(1, .kept), at: start)
        let first = tracker.due(at: start + 1) { _ in nil }
        tracker.record(row(2, .kept), at: start + 20)
        let second = tracker.due(at: start + 21) { _ in nil }
        #expect(first[0].slot != second[0].slot)
        #expect(second[0].summary == "Anne: +1 image")
    }

    @Test func subjectsGetTheirOwnBubbles() {
        var tracker = BurstTracker(settings: NotifySettings(), layout: layout)
        tracker.record(row(1, .kept, subject: "anne"), at: start)
        tracker.record(row(2, .kept, subject: "bob"), at: start)
        let notes = tracker.due(at: start + 1) { _ in nil }
        #expect(Set(notes.map(\.summary)) == ["Anne: +1 image", "Bob: +1 image"])
        #expect(Set(notes.map(\.slot)).count == 2)
    }

    @Test func aReJudgedFileCountsOnceWithItsLatestVerdict() {
        var tracker = BurstTracker(settings: NotifySettings(), layout: layout)
        tracker.record(row(1, .blurry), at: start)
        tracker.record(row(1, .kept), at: start + 1)
        #expect(tracker.due(at: start + 2) { _ in nil }.first?.body == "1 kept.")
    }

    @Test func coveringTheLastAngleGetsItsOwnNotification() {
        var tracker = BurstTracker(settings: NotifySettings(), layout: layout)
        tracker.record(row(1, .kept), at: start)
        let before = tracker.due(at: start + 1) { _ in ["looking down"] }
        tracker.record(row(2, .kept), at: start + 2)
        let after = tracker.due(at: start + 3) { _ in [] }
        #expect(before.count == 1)
        #expect(after.map(\.summary) == ["Anne: +2 images", "Anne: all angles covered"])
        #expect(after[1].slot != after[0].slot)
        // Already covered: no second milestone.
        tracker.record(row(3, .kept), at: start + 4)
        #expect(tracker.due(at: start + 5) { _ in [] }.count == 1)
    }

    @Test func problemsAreNormalUrgencyWithOneBubblePerKind() {
        var tracker = BurstTracker(settings: NotifySettings(), layout: layout)
        tracker.record(IngestProblem(kind: .diskFull, subject: "anne", path: "/drop/a.jpg", message: "No space left on device"))
        tracker.record(IngestProblem(kind: .diskFull, subject: "anne", path: "/drop/b.jpg", message: "No space left on device"))
        let notes = tracker.due(at: start) { _ in nil }
        #expect(notes.count == 2)
        #expect(Set(notes.map(\.slot)) == ["problem-disk-full"])
        #expect(notes.allSatisfy { $0.urgency == .normal && $0.summary == "winnow: the disk is full" })
    }

    @Test func theOffSwitchSilencesEverything() {
        var tracker = BurstTracker(settings: NotifySettings(enabled: false), layout: layout)
        tracker.record(row(1, .unreadable), at: start)
        #expect(tracker.due(at: start + 1) { _ in nil }.isEmpty)
    }

    @Test func quietHoursHoldBackRoutineNewsButNotProblems() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let quiet = QuietHours(parsing: "22:00-07:30")!
        let night = utc.date(from: DateComponents(year: 2026, month: 1, day: 1, hour: 23, minute: 10))!
        let morning = utc.date(from: DateComponents(year: 2026, month: 1, day: 1, hour: 7, minute: 30))!
        #expect(quiet.contains(night, calendar: utc))
        #expect(!quiet.contains(morning, calendar: utc))
        let tracker = BurstTracker(settings: NotifySettings(quietHours: quiet), layout: layout)
        let routine = DesktopNotification(slot: "a", summary: "", body: "", urgency: .low)
        let problem = DesktopNotification(slot: "b", summary: "", body: "", urgency: .normal)
        let inQuiet = Date(timeIntervalSince1970: 0)  // checked against the local zone below
        let expectQuiet = quiet.contains(inQuiet)
        #expect(tracker.allows(routine, at: inQuiet) == !expectQuiet)
        #expect(tracker.allows(problem, at: inQuiet))
    }

    @Test func quietHoursParseOnlyRealWindows() {
        #expect(QuietHours(parsing: "22:00-07:30")?.description == "22:00-07:30")
        #expect(QuietHours(parsing: "25:00-07:00") == nil)
        #expect(QuietHours(parsing: "22-07") == nil)
        #expect(QuietHours(parsing: "08:00-08:00") == nil)
    }
}
