import Foundation

/// What happened to one subject's files during one burst, and how that reads in a notification.
public struct BurstSummary: Sendable, Equatable {
    public var subject: String
    /// Verdict per journal row: a row re-judged during the burst counts once, with its latest verdict.
    public var verdicts: [Int64: VerdictKind] = [:]

    public init(subject: String) { self.subject = subject }

    public var count: Int { verdicts.count }

    /// Files that need the user: they could not be read as images at all.
    public var unreadableCount: Int { verdicts.values.filter { $0 == .unreadable || $0 == .notImage }.count }

    /// "Anne Hathaway: +12 images"
    public var title: String {
        "\(SubjectName.display(subject)): +\(count) image\(count == 1 ? "" : "s")"
    }

    /// "9 kept, 2 duplicates, 1 upscaled. Still missing: profile right, looking down."
    public func body(missing: [String]?) -> String {
        var tally: [VerdictKind: Int] = [:]
        for kind in verdicts.values { tally[kind, default: 0] += 1 }
        let parts = VerdictKind.allCases.compactMap { kind in tally[kind].map { "\($0) \(Self.words(kind, count: $0))" } }
        var text = parts.joined(separator: ", ") + "."
        if let missing {
            text += missing.isEmpty ? " All angles covered." : " Still missing: \(missing.joined(separator: ", "))."
        }
        return text
    }

    /// The whole line, as the issue writes it.
    public func sentence(missing: [String]?) -> String { "\(title) — \(body(missing: missing))" }

    /// Low for routine news, normal when a file could not be read (unreadable, or not an image at all).
    public var urgency: DesktopNotification.Urgency { unreadableCount > 0 ? .normal : .low }

    static func words(_ kind: VerdictKind, count: Int) -> String {
        let plural = count != 1
        switch kind {
        case .kept: return "kept"
        case .duplicate: return plural ? "duplicates" : "duplicate"
        case .nearDuplicate: return plural ? "near-duplicates" : "near-duplicate"
        case .blurry: return "blurry"
        case .upscaled: return "upscaled"
        case .noFace: return "without a face"
        case .multiFace: return "with several faces"
        case .tooSmall: return "too small"
        case .unreadable: return "unreadable"
        case .notImage: return plural ? "not images" : "not an image"
        case .rejected: return "rejected"
        }
    }
}
