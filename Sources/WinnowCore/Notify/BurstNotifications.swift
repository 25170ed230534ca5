import Foundation
import Logging

/// The notification stage: an `IngestObserver` that gathers placed files into bursts and hands the
/// resulting notifications to a `Notifier`.
///
/// Observers are called from the ingest task, so every call here only enqueues work on a private
/// serial queue; coverage is read and the notifier called from that queue, never from the pipeline.
public final class BurstNotifications: IngestObserver, @unchecked Sendable {
    private let notifier: any Notifier
    private let coverage: (any MissingAnglesSource)?
    private let settings: NotifySettings
    private let queue = DispatchQueue(label: "winnow.notify")
    private let now: @Sendable () -> Date
    private let logger: Logger
    // Only touched on `queue`.
    private var tracker: BurstTracker
    private var flushPending = false
    private var seenSubjects: Set<String> = []

    public init(settings: NotifySettings, layout: LibraryLayout, notifier: any Notifier,
                coverage: (any MissingAnglesSource)?, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.notifier = notifier
        self.coverage = coverage
        self.logger = logger
        self.now = now
        self.tracker = BurstTracker(settings: settings, layout: layout)
    }

    public func fileChanged(_ row: FileRecord) {
        guard settings.enabled else { return }
        queue.async { [self] in
            seed(row.subject)
            tracker.record(row, at: now())
            scheduleFlush()
        }
    }

    /// The first time this process sees a subject, note what it lacks, so that the burst which
    /// covers the last angle can say so. (The row that triggered this is already counted: if that
    /// one file completes the checklist, the milestone goes unannounced.)
    private func seed(_ subject: String) {
        guard seenSubjects.insert(subject).inserted else { return }
        if let missing = try? coverage?.missingAngles(subject: subject) { tracker.remember(missing: missing, for: subject) }
    }

    /// A problem outside any one file's verdict (a full disk, a failure): shown on the next flush.
    public func problem(_ problem: IngestProblem) {
        guard settings.enabled else { return }
        queue.async { [self] in
            tracker.record(problem)
            scheduleFlush()
        }
    }

    /// Waits until everything recorded so far has been shown (for an orderly shutdown).
    public func drain() {
        queue.sync { flush() }
    }

    private func scheduleFlush() {
        guard !flushPending else { return }
        flushPending = true
        queue.asyncAfter(deadline: .now() + settings.updateSeconds) { [self] in
            flushPending = false
            flush()
            if !tracker.isIdle { scheduleFlush() }
        }
    }

    private func flush() {
        let notes = tracker.due(at: now()) { [coverage, logger] subject in
            do { return try coverage?.missingAngles(subject: subject) } catch {
                logger.warning("notifications: cannot read coverage of \(subject): \(error)")
                return nil
            }
        }
        for note in notes { notifier.show(note) }
    }
}
