import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WinnowCore

/// Feeds drop-folder files to the ingestor: first what is already waiting, then whatever the watcher
/// reports. The files of a burst are analysed `[analysis] workers` at a time; each is then judged and
/// placed one at a time, in arrival order, so the journal never sees two moves at once.
/// On SIGTERM the files in hand are finished, then it stops.
public struct IngestService: Service {
    let ingestor: Ingestor
    let watcher: InotifyWatcher
    let status: DaemonStatus
    let logger: Logger

    public func run() async throws {
        let batches = EventBatches(watcher.start())
        // Anything interrupted or waiting since the last run comes first.
        let finished = try ingestor.reconcileJournal()
        if finished > 0 { logger.info("reconciled \(finished) interrupted moves") }
        handleAll(ingestor.config.dropFolders.flatMap { DropScanner.files(under: $0.path, dropFolder: $0) })
        await status.ready()
        for await events in batches.cancelOnGracefulShutdown() {
            handleAll(events.flatMap { event -> [DropFile] in
                switch event {
                case .fileCompleted(let file): [file]
                case .rescan(let folder, let drop): DropScanner.files(under: folder, dropFolder: drop)
                }
            })
            ingestor.queueDrained()
            await status.idle()
        }
    }

    /// A long backlog stops between groups of files on SIGTERM; what is left waits for the next start.
    private func handleAll(_ files: [DropFile]) {
        var seen = Set<String>()
        let files = files.filter { seen.insert($0.path.path).inserted }
        let workers = max(1, ingestor.config.analysis.workers)
        var next = files.startIndex
        while next < files.endIndex && !Task.isShuttingDownGracefully {
            let group = Array(files[next..<min(next + workers, files.endIndex)])
            next += group.count
            for (file, prepared) in zip(group, prepareAll(group)) { handle(file, prepared: prepared) }
        }
    }

    /// Hashes and analyses `files` on one thread each (a lone file on this thread).
    private func prepareAll(_ files: [DropFile]) -> [PreparedFile?] {
        guard files.count > 1 else { return files.map { ingestor.prepare($0) } }
        let results = Mutex([PreparedFile?](repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let prepared = ingestor.prepare(files[index])
            results.withLock { $0[index] = prepared }
        }
        return results.withLock { $0 }
    }

    private func handle(_ file: DropFile, prepared: PreparedFile?) {
        do {
            if let row = try ingestor.process(file, prepared: prepared) { status.processed(row) }
        } catch {
            // The row stays journaled; the next start retries it. Nothing was deleted.
            logger.error("\(file.path.path): \(error)")
            ingestor.report(IngestProblem.classify(error, path: file.path.path))
        }
    }
}

/// Tells systemd what the daemon is doing.
public actor DaemonStatus {
    let notifier: SystemdNotifier
    private var count = 0

    init(notifier: SystemdNotifier) { self.notifier = notifier }

    func ready() {
        notifier.send("READY=1\nSTATUS=watching, \(count) files processed")
    }

    nonisolated func processed(_ row: FileRecord) {
        Task { await self.bump() }
    }

    private func bump() { count += 1 }

    func idle() {
        notifier.send("STATUS=watching, \(count) files processed")
    }
}

/// Pings the systemd watchdog at half of `WATCHDOG_USEC` while the daemon lives.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            notifier.send("WATCHDOG=1")
            try? await Task.sleep(for: interval)
        }
    }
}
