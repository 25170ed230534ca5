import Foundation
import Logging
import WinnowCore

/// Tells the desktop that the daemon cannot start because of its configuration.
///
/// systemd restarts a failed daemon a few times in a row; the notice is shown once per distinct
/// error (remembered in `$XDG_RUNTIME_DIR`, else the state folder) and forgotten once the config loads.
public enum ConfigErrorNotice {
    public static func post(_ message: String, paths: XDGPaths = XDGPaths()) {
        let marker = markerFile(paths)
        if (try? String(contentsOf: marker, encoding: .utf8)) == message { return }
        try? FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? message.write(to: marker, atomically: true, encoding: .utf8)
        let notifier = DesktopNotifier(logger: Logger(label: "winnow"))
        notifier.showNow(DesktopNotification(
            slot: "problem-config-error", summary: "winnow: configuration error",
            body: "The daemon is not running. \(message)\nRun `winnow config check` after fixing it.",
            urgency: .normal, folder: paths.configFile.deletingLastPathComponent()))
    }

    /// The config loaded: a later error is news again.
    public static func clear(paths: XDGPaths = XDGPaths()) {
        try? FileManager.default.removeItem(at: markerFile(paths))
    }

    private static func markerFile(_ paths: XDGPaths) -> URL {
        let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].map { URL(fileURLWithPath: $0, isDirectory: true) }
        return (runtime ?? paths.defaultStateDirectory).appendingPathComponent("winnow-config-error")
    }
}
