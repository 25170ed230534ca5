import Foundation
import GRDB

/// One file winnow has seen: written before the file is touched, updated as it moves through the pipeline.
public struct FileRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "file"

    public enum State: String, Codable, Sendable {
        /// Recorded; analysis or the move into the library may still be ahead.
        case journaled
        /// In the library at `libraryPath`.
        case placed
        /// Gone from the drop folder before winnow could move it (the user took it back).
        case vanished
    }

    public var id: Int64?
    public var subject: String
    /// Where the file was found (a drop folder).
    public var sourcePath: String
    /// Where the move is headed; set before the move so a crash mid-move can be reconciled.
    public var plannedPath: String?
    /// Where the file is now, once placed.
    public var libraryPath: String?
    public var size: Int64
    public var mtime: Double
    public var sha256: String?
    public var state: State
    public var verdict: VerdictKind?
    public var reason: String?
    public var duplicateOf: Int64?
    /// JSON of `ImageFacts`.
    public var facts: String?
    /// `kept` or `rejected` when the user decided; wins over any analysis.
    public var userVerdict: VerdictKind?
    public var createdAt: Date
    public var updatedAt: Date

    public init(subject: String, sourcePath: String, size: Int64, mtime: Double, now: Date = Date()) {
        self.subject = subject
        self.sourcePath = sourcePath
        self.size = size
        self.mtime = mtime
        self.state = .journaled
        self.createdAt = now
        self.updatedAt = now
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let subject = Column(CodingKeys.subject)
        public static let sourcePath = Column(CodingKeys.sourcePath)
        public static let libraryPath = Column(CodingKeys.libraryPath)
        public static let sha256 = Column(CodingKeys.sha256)
        public static let state = Column(CodingKeys.state)
        public static let verdict = Column(CodingKeys.verdict)
    }

    /// The decoded facts, if analysis ran.
    public var imageFacts: ImageFacts? {
        guard let facts, let data = facts.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(ImageFacts.self, from: data)
    }

    /// The verdict that counts: the user's, else winnow's.
    public var effectiveVerdict: VerdictKind? { userVerdict ?? verdict }

    /// The file's current location.
    public var currentPath: String { libraryPath ?? sourcePath }
}
