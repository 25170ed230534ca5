import CNotify
import Foundation
import Logging
import WinnowCore

/// Shows notifications on the desktop through libnotify (the freedesktop Notifications D-Bus API).
///
/// Each `slot` keeps its `NotifyNotification`, so showing a slot again updates the bubble in place
/// (libnotify sends the server's id back as `replaces_id`). The default action, "Open folder",
/// runs `xdg-open <folder>`. Best effort: without a session bus or a notification server the first
/// failure is logged once as a warning and the daemon carries on.
public final class DesktopNotifier: Notifier, @unchecked Sendable {
    private typealias Bubble = UnsafeMutablePointer<NotifyNotification>
    private let loop = GLibMainLoop()
    private let logger: Logger
    // Touched only on the GLib thread.
    private var bubbles: [String: Bubble] = [:]
    private var order: [String] = []
    private var warned = false
    private var initialised = false
    /// Bubbles kept alive for their action; older ones are released.
    private static let keptBubbles = 32

    public init(logger: Logger) {
        self.logger = logger
        loop.start()
    }

    deinit { loop.stop() }

    public func show(_ notification: DesktopNotification) {
        loop.perform { [self] in present(notification) }
    }

    /// Shows `notification` and waits (at most `timeout` seconds) until it was handed to the server:
    /// for a process about to exit.
    public func showNow(_ notification: DesktopNotification, timeout: Double = 5) {
        show(notification)
        waitUntilShown(timeout: timeout)
    }

    /// Waits (at most `timeout` seconds) until everything passed to `show` so far was sent.
    public func waitUntilShown(timeout: Double = 5) {
        let done = DispatchSemaphore(value: 0)
        loop.perform { done.signal() }
        _ = done.wait(timeout: .now() + timeout)
    }

    private func present(_ note: DesktopNotification) {
        if !initialised {
            initialised = notify_init("winnow") != 0
            guard initialised else { return warnOnce("libnotify could not start") }
        }
        let bubble: Bubble
        if let existing = bubbles[note.slot] {
            bubble = existing
            notify_notification_update(bubble, note.summary, note.body, "image-x-generic")
        } else {
            guard let created = notify_notification_new(note.summary, note.body, "image-x-generic") else {
                return warnOnce("libnotify could not create a notification")
            }
            bubble = created
            if let folder = note.folder { addOpenFolderAction(bubble, folder: folder) }
            notify_notification_set_hint(bubble, "desktop-entry", g_variant_new_string("winnow"))
            remember(bubble, slot: note.slot)
        }
        notify_notification_set_urgency(bubble, note.urgency == .low ? NOTIFY_URGENCY_LOW : NOTIFY_URGENCY_NORMAL)
        var error: UnsafeMutablePointer<GError>?
        if notify_notification_show(bubble, &error) == 0 {
            let message = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown error"
            if let error { g_error_free(error) }
            // Forget the bubble: its id means nothing to a server that never saw it.
            bubbles[note.slot] = nil
            order.removeAll { $0 == note.slot }
            g_object_unref(UnsafeMutableRawPointer(bubble))
            warnOnce(message)
        }
    }

    private func remember(_ bubble: Bubble, slot: String) {
        bubbles[slot] = bubble
        order.append(slot)
        while order.count > Self.keptBubbles {
            let old = order.removeFirst()
            if let stale = bubbles.removeValue(forKey: old) { g_object_unref(UnsafeMutableRawPointer(stale)) }
        }
    }

    private func warnOnce(_ message: String) {
        guard !warned else { return }
        warned = true
        logger.warning("desktop notifications unavailable (\(message)); carrying on without them")
    }

    private func addOpenFolderAction(_ bubble: Bubble, folder: URL) {
        let context = Unmanaged.passRetained(ActionContext(folder: folder, logger: logger)).toOpaque()
        notify_notification_add_action(bubble, "default", "Open folder", { _, action, data in
            guard let data else { return }
            let context = Unmanaged<ActionContext>.fromOpaque(data).takeUnretainedValue()
            context.invoked(action.map { String(cString: $0) } ?? "default")
        }, context, { data in
            guard let data else { return }
            Unmanaged<ActionContext>.fromOpaque(data).release()
        })
    }
}

/// What a bubble's action needs when it is clicked: the folder, and where to log.
private final class ActionContext {
    let folder: URL
    let logger: Logger

    init(folder: URL, logger: Logger) {
        self.folder = folder
        self.logger = logger
    }

    func invoked(_ action: String) {
        logger.info("notification action \(action): opening \(folder.path)")
        guard let opener = Self.find("xdg-open") else {
            return logger.warning("cannot open \(folder.path): xdg-open is not installed")
        }
        let process = Process()
        process.executableURL = opener
        process.arguments = [folder.path]
        do { try process.run() } catch {
            logger.warning("cannot open \(folder.path): \(error)")
        }
    }

    /// The first executable `name` on PATH (Process wants a full path and no shell is involved).
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
