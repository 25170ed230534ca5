import Foundation
import Logging
import ServiceLifecycle
import WinnowCore

/// Feeds drop-folder files to the ingestor one at a time: first what is already waiting,
/// then whatever the watcher reports. On SIGTERM the current file is finished, then it stops.
public struct IngestService: Service {
    let ingestor: Ingestor
    let watcher: InotifyWatcher
    let status: DaemonStatus
    let logger: Logger

    public func run() async throws {
        let events = watcher.start()
        // Anything interrupted or waiting since the last run comes first.
        let finished = try ingestor.reconcileJournal()
        if finished > 0 { logger.info("reconciled \(finished) interrupted moves") }
        for drop in ingestor.config.dropFolders {
            handleAll(DropScanner.files(under: drop.path, dropFolder: drop))
        }
        await status.ready()
        for await event in events.cancelOnGracefulShutdown() {
            switch event {
            case .fileCompleted(let file):
                handle(file)
            case .rescan(let folder, let drop):
                handleAll(DropScanner.files(under: folder, dropFolder: drop))
            }
            ingestor.queueDrained()
            await status.idle()
        }
    }

    /// A long backlog stops between files on SIGTERM; what is left waits for the next start.
    private func handleAll(_ files: [DropFile]) {
        for file in files where !Task.isShuttingDownGracefully { handle(file) }
    }

    private func handle(_ file: DropFile) {
        do {
            if let row = try ingestor.process(file) { status.processed(row) }
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
