import Foundation
import Logging
import Testing
@testable import WinnowCore

/// The observer with its real queue and timer, and a notifier that only records.
@Suite struct BurstNotificationsTests {
    final class Recorder: Notifier, @unchecked Sendable {
        private let lock = NSLock()
        private var shown: [DesktopNotification] = []
        func show(_ notification: DesktopNotification) { lock.withLock { shown.append(notification) } }
        var notifications: [DesktopNotification] { lock.withLock { shown } }
    }

    struct FixedCoverage: MissingAnglesSource {
        let answers: @Sendable () -> [String]?
        func missingAngles(subject: String) throws -> [String]? { answers() }
    }

    func row(_ id: Int64, _ kind: VerdictKind) -> FileRecord {
        var row = FileRecord(subject: "anne", sourcePath: "/drop/\(id).jpg", size: 1, mtime: 0)
        row.id = id
        row.state = .placed
        row.verdict = kind
        return row
    }

    @Test func filesArrivingTogetherAreShownOnceAfterTheUpdateDelay() async throws {
        let recorder = Recorder()
        let observer = BurstNotifications(settings: NotifySettings(burstSeconds: 2, updateSeconds: 0.2),
                                          layout: LibraryLayout(root: URL(fileURLWithPath: "/lib")), notifier: recorder,
                                          coverage: nil, logger: Logger(label: "test"))
        for id: Int64 in 1...5 { observer.fileChanged(row(id, id == 5 ? .duplicate : .kept)) }
        #expect(recorder.notifications.isEmpty, "nothing is shown from the pipeline's own call")
        try await Task.sleep(for: .milliseconds(1000))
        #expect(recorder.notifications.map(\.summary) == ["Anne: +5 images"])
        #expect(recorder.notifications.first?.body == "4 kept, 1 duplicate.")
    }

    @Test func theCoverageSeenFirstLetsTheBurstAnnounceTheMilestone() async throws {
        let recorder = Recorder()
        let answers = Answers()
        let observer = BurstNotifications(settings: NotifySettings(burstSeconds: 2, updateSeconds: 0.2),
                                          layout: LibraryLayout(root: URL(fileURLWithPath: "/lib")), notifier: recorder,
                                          coverage: FixedCoverage { answers.next() }, logger: Logger(label: "test"))
        observer.fileChanged(row(1, .kept))  // seeds: ["looking down"]
        observer.fileChanged(row(2, .kept))
        try await Task.sleep(for: .milliseconds(1000))
        #expect(recorder.notifications.map(\.summary) == ["Anne: +2 images", "Anne: all angles covered"])
    }

    /// First call: one angle missing; afterwards: none.
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var calls = 0
        func next() -> [String]? {
            lock.withLock {
                calls += 1
                return calls == 1 ? ["looking down"] : []
            }
        }
    }
}
