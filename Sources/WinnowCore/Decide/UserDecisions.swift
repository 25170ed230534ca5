import Foundation

/// The user's own decisions (`winnow keep`, `reject`, `not-duplicate`): recorded in the journal, the file
/// moved to match. Analysis never overrides them (`FileRecord.userVerdict`, the `not_duplicate` table).
public struct UserDecisions: Sendable {
    public let database: WinnowDatabase
    public let journal: Journal
    public let relocation: Relocation
    /// Re-judges a file the user says is no copy, with the same rules as the daemon.
    public let judge: Judge

    public init(database: WinnowDatabase, config: WinnowConfig) {
        self.database = database
        self.journal = Journal(database: database)
        self.relocation = Relocation(layout: LibraryLayout(root: config.library), journal: journal)
        self.judge = Judge(faces: config.analysis.faces)
    }

    public struct DecisionError: Error, CustomStringConvertible {
        public var description: String
    }

    func placedRow(_ reference: String) throws -> FileRecord {
        guard let row = try journal.find(reference) else { throw DecisionError(description: "winnow has no record of \(reference)") }
        guard row.state == .placed else { throw DecisionError(description: "\(reference) is not in the library (\(row.state.rawValue))") }
        return row
    }

    /// Keeps (`.kept`) or rejects (`.rejected`) a file for good; returns the updated row.
    @discardableResult
    public func decide(_ reference: String, _ verdict: VerdictKind) throws -> FileRecord {
        precondition(verdict == .kept || verdict == .rejected)
        var row = try placedRow(reference)
        row.userVerdict = verdict
        try relocation.apply(&row)
        return row
    }

    /// Records that two files are different pictures; a file set aside as a copy of the other comes back,
    /// judged on its own. Returns the rows that changed.
    @discardableResult
    public func notDuplicate(_ first: String, _ second: String) throws -> [FileRecord] {
        let a = try placedRow(first), b = try placedRow(second)
        guard let shaA = a.sha256, let shaB = b.sha256 else { throw DecisionError(description: "no content hash recorded yet") }
        guard shaA != shaB else { throw DecisionError(description: "these files have the same bytes: they are copies") }
        try database.markNotDuplicate(shaA, shaB)
        var changed: [FileRecord] = []
        for (var row, other) in [(a, b), (b, a)] where row.duplicateOf == other.id && row.verdict == .nearDuplicate {
            let verdict = row.imageFacts.map { judge.verdict(for: $0) } ?? Verdict(.kept)
            row.verdict = verdict.kind
            row.reason = verdict.reason
            row.duplicateOf = nil
            try relocation.apply(&row)
            changed.append(row)
        }
        return changed
    }
}
