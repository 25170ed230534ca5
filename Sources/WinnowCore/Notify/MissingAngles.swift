import Foundation

/// Tells which angles of the coverage checklist a subject still lacks.
///
/// The coverage stage owns the real answer; the notifier only needs this much of it.
public protocol MissingAnglesSource: Sendable {
    /// Checklist angles with no kept image yet, in checklist order; nil when unknown
    /// (for instance when no kept image has face facts, so nothing can be said).
    func missingAngles(subject: String) throws -> [String]?
}

/// The user's checklist (DESIGN.md): five yaw angles plus looking up and looking down.
public enum AngleChecklist {
    public struct Item: Sendable, Equatable {
        public var label: String
        public var matches: @Sendable (YawBin, PitchBin) -> Bool
        public static func == (lhs: Item, rhs: Item) -> Bool { lhs.label == rhs.label }
    }

    public static let items: [Item] = [
        Item(label: "profile left", matches: { yaw, _ in yaw == .profileLeft }),
        Item(label: "profile right", matches: { yaw, _ in yaw == .profileRight }),
        Item(label: "3/4 left", matches: { yaw, _ in yaw == .threeQuarterLeft }),
        Item(label: "3/4 right", matches: { yaw, _ in yaw == .threeQuarterRight }),
        Item(label: "frontal", matches: { yaw, pitch in yaw == .frontal && pitch == .level }),
        Item(label: "looking up", matches: { _, pitch in pitch == .up }),
        Item(label: "looking down", matches: { _, pitch in pitch == .down }),
    ]

    /// The labels not matched by any of `bins`, in checklist order.
    public static func missing(from bins: [(YawBin, PitchBin)]) -> [String] {
        items.filter { item in !bins.contains { item.matches($0.0, $0.1) } }.map(\.label)
    }
}

/// Coverage from the face bins of the subject's kept images in the journal.
public struct JournalMissingAngles: MissingAnglesSource {
    public let journal: Journal

    public init(journal: Journal) { self.journal = journal }

    public func missingAngles(subject: String) throws -> [String]? {
        let kept = try journal.list(subject: subject, verdict: .kept).filter { $0.state == .placed }
        let faces = kept.compactMap { $0.imageFacts?.faces }
        guard !faces.isEmpty else { return nil }
        let bins = faces.compactMap { face in face.yawBin.map { ($0, face.pitchBin ?? .level) } }
        return AngleChecklist.missing(from: bins)
    }
}
