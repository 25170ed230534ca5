import Foundation

/// Turns a stream of placed files and problems into a few notifications: one per burst per subject,
/// updated in place while the burst goes on, plus one for each coverage milestone and each problem.
///
/// A pure state machine: time comes in as arguments, so its behaviour is unit-tested without waiting.
public struct BurstTracker: Sendable {
    public let settings: NotifySettings
    /// `<library>/<subject>` for the "Open folder" action.
    public let layout: LibraryLayout

    struct OpenBurst: Sendable {
        var slot: String
        var summary: BurstSummary
        var lastActivity: Date
        /// Changed since the bubble was last shown.
        var dirty = true
    }

    private var bursts: [String: OpenBurst] = [:]
    private var problems: [DesktopNotification] = []
    private var counter = 0
    /// The last missing-angles list seen per subject; a milestone is the step from non-empty to empty.
    private var lastMissing: [String: [String]] = [:]

    public init(settings: NotifySettings, layout: LibraryLayout) {
        self.settings = settings
        self.layout = layout
    }

    /// A file of `row.subject` was placed or re-judged at `now`.
    public mutating func record(_ row: FileRecord, at now: Date) {
        guard let id = row.id, row.state == .placed, let verdict = row.effectiveVerdict else { return }
        if var burst = bursts[row.subject], now.timeIntervalSince(burst.lastActivity) < settings.burstSeconds {
            burst.summary.verdicts[id] = verdict
            burst.lastActivity = now
            burst.dirty = true
            bursts[row.subject] = burst
            return
        }
        counter += 1
        var summary = BurstSummary(subject: row.subject)
        summary.verdicts[id] = verdict
        bursts[row.subject] = OpenBurst(slot: "burst-\(counter)", summary: summary, lastActivity: now)
    }

    /// A problem the user should hear about now; each kind keeps one bubble.
    public mutating func record(_ problem: IngestProblem) {
        let summary: String
        let body: String
        switch problem.kind {
        case .diskFull:
            summary = "winnow: the disk is full"
            body = "Files stay in the drop folder until there is space again. \(problem.message)"
        case .configError:
            summary = "winnow: configuration error"
            body = problem.message
        case .failed:
            summary = "winnow: could not process a file"
            body = problem.path.map { "\(($0 as NSString).lastPathComponent): \(problem.message)" } ?? problem.message
        }
        problems.append(DesktopNotification(slot: "problem-\(problem.kind.rawValue)", summary: summary, body: body,
                                            urgency: .normal, folder: problem.subject.map(layout.subjectFolder)))
    }

    /// The notifications to show at `now`: changed bursts, milestones, problems. Bursts idle for
    /// `burstSeconds` are closed, so the next file of that subject starts a new bubble.
    public mutating func due(at now: Date, missing: (String) -> [String]?) -> [DesktopNotification] {
        var out = problems
        problems.removeAll()
        for subject in bursts.keys.sorted() {
            guard var burst = bursts[subject] else { continue }
            if burst.dirty {
                burst.dirty = false
                let angles = missing(subject)
                out.append(DesktopNotification(slot: burst.slot, summary: burst.summary.title,
                                               body: burst.summary.body(missing: angles),
                                               urgency: burst.summary.urgency, folder: layout.subjectFolder(subject)))
                if let angles {
                    if angles.isEmpty, let before = lastMissing[subject], !before.isEmpty {
                        out.append(DesktopNotification(
                            slot: "milestone-\(subject)", summary: "\(SubjectName.display(subject)): all angles covered",
                            body: "Every angle on the checklist has a kept image: profile, 3/4 and frontal, looking up and down.",
                            urgency: .low, folder: layout.subjectFolder(subject)))
                    }
                    lastMissing[subject] = angles
                }
            }
            if now.timeIntervalSince(burst.lastActivity) >= settings.burstSeconds {
                bursts[subject] = nil
            } else {
                bursts[subject] = burst
            }
        }
        return out.filter { allows($0, at: now) }
    }

    /// Whether anything is still waiting to be shown or closed.
    public var isIdle: Bool { bursts.isEmpty && problems.isEmpty }

    /// Seeds what a subject lacked before this process saw any of its files, so the first
    /// burst after a restart can still announce a milestone.
    public mutating func remember(missing: [String], for subject: String) {
        lastMissing[subject] = missing
    }

    /// The off switch and quiet hours: in quiet hours only problems get through.
    public func allows(_ notification: DesktopNotification, at now: Date) -> Bool {
        guard settings.enabled else { return false }
        if let quiet = settings.quietHours, quiet.contains(now) { return notification.urgency != .low }
        return true
    }
}
