import Foundation

/// What a subject's contact sheet shows: a row per face-angle bin with its kept images (empty bins
/// too, so the gaps show), kept images without an angle, then a row per reject reason.
public struct ContactSheet: Sendable {
    public struct Cell: Sendable, Equatable {
        public var path: String
        /// Written on the thumbnail (reject reasons); nil for kept images.
        public var caption: String?
    }

    public struct Row: Sendable, Equatable {
        public enum Kind: String, Sendable { case angle, unsorted, reject }
        public var kind: Kind
        /// The bin folder name (`3q-left-up`) or the verdict (`blurry`).
        public var label: String
        /// All the row's images; the sheet draws the first `maxPerRow`.
        public var cells: [Cell]
        /// An empty angle row that would fill an angle the checklist still misses.
        public var wanted = false
    }

    public var subject: String
    public var rows: [Row]
    /// Checklist angles still missing, when known.
    public var missing: [String]?

    /// Images drawn per row; the rest are counted.
    public static let maxPerRow = 10

    /// Builds the sheet from the subject's journal rows (placed files only).
    public init(subject: String, records: [FileRecord], missing: [String]?) {
        self.subject = subject
        self.missing = missing
        let placed = records.filter { $0.subject == subject && $0.state == .placed && $0.libraryPath != nil }
        var byBin: [String: [Cell]] = [:]
        var unsorted: [Cell] = []
        var rejects: [VerdictKind: [Cell]] = [:]
        for record in placed {
            let path = record.currentPath
            let verdict = record.effectiveVerdict ?? .kept
            if verdict == .kept {
                if let bin = LibraryBins.folderName(for: record.imageFacts) {
                    byBin[bin, default: []].append(Cell(path: path))
                } else {
                    unsorted.append(Cell(path: path))
                }
            } else {
                rejects[verdict, default: []].append(Cell(path: path, caption: Self.shortReason(record.reason) ?? verdict.rawValue))
            }
        }
        var rows = Self.bins.map { bin in
            Row(kind: .angle, label: bin.name, cells: byBin[bin.name] ?? [],
                wanted: Coverage.requiredTitles(yaw: bin.yaw, pitch: bin.pitch).contains { missing?.contains($0) == true })
        }
        if !unsorted.isEmpty { rows.append(Row(kind: .unsorted, label: "kept, no angle", cells: unsorted)) }
        for kind in VerdictKind.allCases { if let cells = rejects[kind] { rows.append(Row(kind: .reject, label: kind.rawValue, cells: cells)) } }
        self.rows = rows
    }

    /// Every bin folder name, yaw from the image's left to its right, each level, then up, then down.
    public static var angleBins: [String] { bins.map(\.name) }

    private static var bins: [(name: String, yaw: YawBin, pitch: PitchBin)] {
        YawBin.allCases.flatMap { yaw in
            [PitchBin.level, .up, .down].compactMap { pitch in
                LibraryBins.folderName(for: ImageFacts(sha256: "", byteCount: 0, width: 0, height: 0, format: "",
                                                       faces: FaceFacts(count: 1, yawBin: yaw, pitchBin: pitch)))
                    .map { ($0, yaw, pitch) }
            }
        }
    }

    public var keptCount: Int { rows.filter { $0.kind != .reject }.reduce(0) { $0 + $1.cells.count } }
    public var rejectCount: Int { rows.filter { $0.kind == .reject }.reduce(0) { $0 + $1.cells.count } }
    public var filledBins: Int { rows.filter { $0.kind == .angle && !$0.cells.isEmpty }.count }

    /// A reason short enough to write on a thumbnail: paths become file names.
    static func shortReason(_ reason: String?) -> String? {
        guard let reason, !reason.isEmpty else { return nil }
        let words = reason.split(separator: " ").map { word -> String in
            word.contains("/") ? (String(word) as NSString).lastPathComponent : String(word)
        }
        let text = words.joined(separator: " ")
        return text.count > 70 ? String(text.prefix(69)) + "…" : text
    }
}
