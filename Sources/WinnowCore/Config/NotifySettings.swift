import Foundation

/// The `[notify]` section: whether and when winnow shows desktop notifications.
public struct NotifySettings: Sendable, Equatable {
    /// The off switch: false shows nothing at all.
    public var enabled: Bool = true
    /// Routine news is held back in this daily window; problems are still shown.
    public var quietHours: QuietHours?
    /// A burst ends after this many seconds without a new file; the next file starts a new notification.
    public var burstSeconds: Double = 8
    /// Within a burst, the bubble is updated at most this often (seconds).
    public var updateSeconds: Double = 1.5

    public init(enabled: Bool = true, quietHours: QuietHours? = nil, burstSeconds: Double = 8, updateSeconds: Double = 1.5) {
        self.enabled = enabled
        self.quietHours = quietHours
        self.burstSeconds = burstSeconds
        self.updateSeconds = updateSeconds
    }
}

/// A daily window in local time such as `22:00-07:30`; it may wrap past midnight.
public struct QuietHours: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after midnight.
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Parses `HH:MM-HH:MM`; nil when the text is not of that form.
    public init?(parsing text: String) {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "-")
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]), start != end else { return nil }
        self.init(start: start, end: end)
    }

    private static func minutes(_ text: Substring) -> Int? {
        let fields = text.split(separator: ":")
        guard fields.count == 2, fields[1].count == 2, let hour = Int(fields[0]), let minute = Int(fields[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return hour * 60 + minute
    }

    /// Whether `date` falls in the window (start inclusive, end exclusive), in `calendar`'s time zone.
    public func contains(_ date: Date, calendar: Calendar = .current) -> Bool {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    public var description: String {
        String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60)
    }
}
