import Foundation
import Logging
import ServiceLifecycle
import WinnowCore

public enum DaemonError: Error, CustomStringConvertible {
    case alreadyRunning(pid: Int32)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid): return "another winnow daemon is running (pid \(pid))"
        }
    }
}

/// `winnow daemon`: the watcher, the ingest worker and the systemd watchdog in one ServiceGroup.
public enum Daemon {
    public static func run(config: WinnowConfig) async throws {
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let logger = Logger(label: "winnow")
        guard let lock = try DaemonLock(stateDirectory: config.stateDirectory) else {
            throw DaemonError.alreadyRunning(pid: DaemonLock.runningDaemon(stateDirectory: config.stateDirectory) ?? 0)
        }
        defer { withExtendedLifetime(lock) {} }
        let database = try WinnowDatabase(file: config.databaseFile)
        let ingestor = Ingestor(config: config, database: database, logger: logger)
        let dataset = DatasetKeeper(config: config, database: database, logger: logger)
        ingestor.observers.append(dataset)
        dataset.syncAll()
        let desktop = config.notify.enabled ? DesktopNotifier(logger: logger) : nil
        let notifications = desktop.map {
            BurstNotifications(settings: config.notify, layout: ingestor.layout, notifier: $0,
                               coverage: JournalMissingAngles(journal: ingestor.journal), logger: logger)
        }
        if let notifications { ingestor.observers.append(notifications) }
        let notifier = SystemdNotifier()
        let status = DaemonStatus(notifier: notifier)
        let watcher = InotifyWatcher(dropFolders: config.dropFolders)

        var services: [any Service] = [IngestService(ingestor: ingestor, watcher: watcher, status: status, logger: logger)]
        if let external = config.captions.external {
            let queue = ExternalCaptionQueue(keeper: dataset, captioner: ExternalCaptioners.make(external, config: config), logger: logger)
            services.append(CaptionService(queue: queue, interval: .seconds(20), logger: logger))
        }
        if let interval = SystemdNotifier.watchdogInterval() {
            services.append(WatchdogService(notifier: notifier, interval: interval))
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        logger.info("winnow daemon watching \(config.dropFolders.map(\.path.path).joined(separator: ", ")); library \(config.library.path)")
        try await group.run()
        // The last files of a burst still get their bubble.
        notifications?.drain()
        desktop?.waitUntilShown(timeout: 3)
        notifier.send("STOPPING=1")
        logger.info("winnow daemon stopped")
    }
}
