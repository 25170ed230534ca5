import Foundation
import GRDB

/// The daemon's near-duplicate memory: every placed image's pHash per subject, rebuilt from the
/// journal at start, so a new file is compared with the library in milliseconds.
public final class NearDuplicateIndex: @unchecked Sendable {
    public let policy: NearDuplicatePolicy
    private let database: WinnowDatabase
    private var subjects: [String: HammingIndex<Int64>] = [:]
    private var loaded = false
    private let lock = NSLock()

    public init(database: WinnowDatabase, policy: NearDuplicatePolicy = NearDuplicatePolicy()) {
        self.database = database
        self.policy = policy
    }

    /// Loads every placed row with a hash (once).
    public func loadIfNeeded() throws {
        lock.lock(); defer { lock.unlock() }
        guard !loaded else { return }
        let rows = try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, subject, facts FROM file WHERE state = 'placed' AND facts IS NOT NULL")
        }
        for row in rows {
            let id: Int64 = row["id"], subject: String = row["subject"], json: String = row["facts"]
            guard let hash = Self.phash(json) else { continue }
            subjects[subject, default: HammingIndex()].insert(hash, for: id)
        }
        loaded = true
    }

    public func insert(_ row: FileRecord) {
        guard let id = row.id, let hash = row.imageFacts?.quality?.phash.flatMap(UInt64.init(hex:)) else { return }
        lock.lock(); defer { lock.unlock() }
        subjects[row.subject, default: HammingIndex()].insert(hash, for: id)
    }

    /// Ids of rows in `subject` whose hash (or mirrored hash) is within the candidate radius.
    public func candidates(for facts: QualityFacts, subject: String) -> (direct: [Int64], mirrored: [Int64]) {
        lock.lock(); defer { lock.unlock() }
        guard let index = subjects[subject] else { return ([], []) }
        let direct = facts.phash.flatMap(UInt64.init(hex:)).map { Array(index.search($0, radius: policy.candidateRadius).keys) } ?? []
        let mirrored = facts.phashMirror.flatMap(UInt64.init(hex:)).map { Array(index.search($0, radius: policy.candidateRadius).keys) } ?? []
        return (direct, mirrored)
    }

    /// The pHash stored in a facts JSON, without decoding the rest.
    static func phash(_ json: String) -> UInt64? {
        guard let range = json.range(of: "\"phash\":\"") else { return nil }
        let start = range.upperBound
        guard let end = json[start...].firstIndex(of: "\"") else { return nil }
        return UInt64(hex: String(json[start..<end]))
    }
}
