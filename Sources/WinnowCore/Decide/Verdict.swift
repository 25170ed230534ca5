/// What winnow decided about one file. Every verdict but `kept` sets the file aside, with its reason.
public enum VerdictKind: String, Codable, Sendable, CaseIterable {
    case kept
    case duplicate
    case nearDuplicate = "near-duplicate"
    case blurry
    case upscaled
    case noFace = "no-face"
    case multiFace = "multi-face"
    case tooSmall = "too-small"
    case unreadable
    case notImage = "not-image"
    case rejected

    /// Folder name under the subject's `rejects/`; nil for kept files.
    public var rejectFolder: String? { self == .kept ? nil : rawValue }
}

public struct Verdict: Codable, Sendable, Equatable {
    public var kind: VerdictKind
    /// Human words: "same bytes as a.jpg", "decoder: Premature end of JPEG file".
    public var reason: String?
    /// For duplicates: the journal id of the kept copy.
    public var duplicateOf: Int64?

    public init(_ kind: VerdictKind, reason: String? = nil, duplicateOf: Int64? = nil) {
        self.kind = kind
        self.reason = reason
        self.duplicateOf = duplicateOf
    }
}
