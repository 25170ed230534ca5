/// The user's angle checklist for one subject: which face angles (and expressions) the kept images
/// already cover, and which are still missing.
public struct CoverageReport: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        /// Stable key, e.g. `profile-left`, `3q-left-up`, `smiling`.
        public var key: String
        /// The user's words, e.g. "profile left", "looking up".
        public var title: String
        /// Bonus items are nice to have; they never appear in "still missing".
        public var bonus: Bool
        public var count: Int
        public var covered: Bool { count > 0 }
    }

    public var subject: String
    /// Kept images with a measured face.
    public var keptImages: Int
    public var items: [Item]
    /// Kept images per library bin folder (`frontal`, `3q-left-up`, …).
    public var bins: [String: Int]

    /// Titles of the required items with no image yet, in checklist order.
    public var stillMissing: [String] { items.filter { !$0.bonus && !$0.covered }.map(\.title) }

    /// "still missing: profile right, looking down", or "all angles covered".
    public var summaryLine: String {
        stillMissing.isEmpty ? "all angles covered" : "still missing: " + stillMissing.joined(separator: ", ")
    }
}

/// Builds the checklist from the journal (the user's checklist in `user-workflow.md`).
public enum Coverage {
    /// One checklist entry: which kept faces count toward it.
    struct Rule: Sendable {
        var key: String
        var title: String
        var bonus: Bool
        var matches: @Sendable (FaceFacts) -> Bool
    }

    static let rules: [Rule] = {
        func yaw(_ bin: YawBin) -> @Sendable (FaceFacts) -> Bool { { $0.yawBin == bin } }
        func pitch(_ bin: PitchBin) -> @Sendable (FaceFacts) -> Bool { { $0.pitchBin == bin } }
        func both(_ y: YawBin, _ p: PitchBin) -> @Sendable (FaceFacts) -> Bool { { $0.yawBin == y && $0.pitchBin == p } }
        return [
            Rule(key: "profile-left", title: "profile left", bonus: false, matches: yaw(.profileLeft)),
            Rule(key: "profile-right", title: "profile right", bonus: false, matches: yaw(.profileRight)),
            Rule(key: "3q-left", title: "3/4 left", bonus: false, matches: yaw(.threeQuarterLeft)),
            Rule(key: "3q-right", title: "3/4 right", bonus: false, matches: yaw(.threeQuarterRight)),
            Rule(key: "frontal", title: "looking at the camera", bonus: false, matches: both(.frontal, .level)),
            Rule(key: "up", title: "looking up", bonus: false, matches: pitch(.up)),
            Rule(key: "down", title: "looking down", bonus: false, matches: pitch(.down)),
            Rule(key: "3q-left-up", title: "3/4 left looking up", bonus: true, matches: both(.threeQuarterLeft, .up)),
            Rule(key: "3q-left-down", title: "3/4 left looking down", bonus: true, matches: both(.threeQuarterLeft, .down)),
            Rule(key: "3q-right-up", title: "3/4 right looking up", bonus: true, matches: both(.threeQuarterRight, .up)),
            Rule(key: "3q-right-down", title: "3/4 right looking down", bonus: true, matches: both(.threeQuarterRight, .down)),
            Rule(key: "smiling", title: "smiling", bonus: true, matches: { $0.expression?.smiling == true }),
            Rule(key: "mouth-open", title: "mouth open", bonus: true, matches: { $0.expression?.mouthOpen == true }),
            Rule(key: "neutral", title: "neutral expression", bonus: true,
                 matches: { $0.expression.map { !$0.smiling && !$0.mouthOpen } ?? false }),
        ]
    }()

    /// Titles of the required checklist items a kept face in this bin would count toward.
    public static func requiredTitles(yaw: YawBin, pitch: PitchBin) -> [String] {
        let face = FaceFacts(count: 1, yawBin: yaw, pitchBin: pitch)
        return rules.filter { !$0.bonus && $0.matches(face) }.map(\.title)
    }

    /// The checklist over the faces of a subject's kept images.
    public static func report(subject: String, keptFaces: [FaceFacts]) -> CoverageReport {
        let faces = keptFaces.filter { $0.count > 0 && $0.yawBin != nil }
        var bins: [String: Int] = [:]
        for face in faces {
            let facts = ImageFacts(sha256: "", byteCount: 0, width: 0, height: 0, format: "", faces: face)
            if let folder = LibraryBins.folderName(for: facts) { bins[folder, default: 0] += 1 }
        }
        let items = rules.map { rule in
            CoverageReport.Item(key: rule.key, title: rule.title, bonus: rule.bonus,
                                count: faces.filter(rule.matches).count)
        }
        return CoverageReport(subject: subject, keptImages: faces.count, items: items, bins: bins)
    }

    /// The checklist for `subject` from the journal: its kept images (the user's decision counts).
    public static func report(subject: String, journal: Journal) throws -> CoverageReport {
        let rows = try journal.list(subject: subject, verdict: .kept).filter { $0.state != .vanished }
        return report(subject: subject, keptFaces: rows.compactMap { $0.imageFacts?.faces })
    }

    /// What the notification stage shows: the required angles `subject` still lacks, in the user's words.
    public static func stillMissing(subject: String, journal: Journal) throws -> [String] {
        try report(subject: subject, journal: journal).stillMissing
    }
}
