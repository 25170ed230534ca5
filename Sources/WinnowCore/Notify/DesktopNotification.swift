import Foundation

/// One desktop notification, ready for a `Notifier`. Plain values: the domain decides the words,
/// the notifier only shows them.
public struct DesktopNotification: Sendable, Equatable {
    public enum Urgency: String, Sendable, Equatable {
        /// Routine news: a burst went fine, a milestone was reached.
        case low
        /// Something needs the user: unreadable files, a full disk, a config error.
        case normal
    }

    /// Identifies the bubble: showing a notification with the same `slot` again replaces it in place.
    public var slot: String
    public var summary: String
    public var body: String
    public var urgency: Urgency
    /// The folder the default action ("Open folder") opens, if any.
    public var folder: URL?

    public init(slot: String, summary: String, body: String, urgency: Urgency, folder: URL? = nil) {
        self.slot = slot
        self.summary = summary
        self.body = body
        self.urgency = urgency
        self.folder = folder
    }
}

/// Shows notifications somewhere (the desktop, a log, a test's list).
///
/// Best effort by contract: a notifier never throws and never blocks its caller for long;
/// when it cannot show anything it says so once in the log.
public protocol Notifier: AnyObject, Sendable {
    /// Shows `notification`, replacing the bubble last shown for the same `slot`.
    func show(_ notification: DesktopNotification)
}
