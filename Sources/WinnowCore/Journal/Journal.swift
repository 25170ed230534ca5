import Foundation
import GRDB

/// The ingest journal: the rows that make "nothing is lost" checkable after any crash.
public struct Journal: Sendable {
    public let database: WinnowDatabase

    public init(database: WinnowDatabase) { self.database = database }

    /// The unfinished row for `path`, or a new one. Called before the file is touched.
    public func record(path: String, subject: String, size: Int64, mtime: Double) throws -> FileRecord {
        try database.pool.write { db in
            if var existing = try FileRecord
                .filter(FileRecord.Columns.sourcePath == path && FileRecord.Columns.state == FileRecord.State.journaled.rawValue)
                .fetchOne(db) {
                existing.size = size
                existing.mtime = mtime
                existing.updatedAt = Date()
                try existing.update(db)
                return existing
            }
            var row = FileRecord(subject: subject, sourcePath: path, size: size, mtime: mtime)
            try row.insert(db)
            return row
        }
    }

    public func save(_ row: FileRecord) throws {
        var row = row
        row.updatedAt = Date()
        try database.pool.write { db in try row.update(db) }
    }

    public func row(id: Int64) throws -> FileRecord? {
        try database.pool.read { db in try FileRecord.fetchOne(db, key: id) }
    }

    /// Rows whose work was interrupted.
    public func unfinished() throws -> [FileRecord] {
        try database.pool.read { db in
            try FileRecord.filter(FileRecord.Columns.state == FileRecord.State.journaled.rawValue).order(FileRecord.Columns.id).fetchAll(db)
        }
    }

    /// The placed file with these bytes in `subject`, if any (exact duplicates are per subject).
    public func placed(sha256: String, subject: String, excluding id: Int64?) throws -> FileRecord? {
        try database.pool.read { db in
            try FileRecord
                .filter(FileRecord.Columns.sha256 == sha256 && FileRecord.Columns.subject == subject
                        && FileRecord.Columns.state == FileRecord.State.placed.rawValue
                        && FileRecord.Columns.id != (id ?? -1))
                .order(FileRecord.Columns.id)
                .fetchOne(db)
        }
    }

    /// Rows matching the filters, oldest first.
    public func list(subject: String? = nil, verdict: VerdictKind? = nil) throws -> [FileRecord] {
        try database.pool.read { db in
            var request = FileRecord.all()
            if let subject { request = request.filter(FileRecord.Columns.subject == subject) }
            if let verdict {
                request = request.filter(sql: "COALESCE(userVerdict, verdict) = ?", arguments: [verdict.rawValue])
            }
            return try request.order(FileRecord.Columns.id).fetchAll(db)
        }
    }

    /// A file by its current or original path, or by id.
    public func find(_ reference: String) throws -> FileRecord? {
        try database.pool.read { db in
            if let id = Int64(reference), let row = try FileRecord.fetchOne(db, key: id) { return row }
            let absolute = URL(fileURLWithPath: reference).standardizedFileURL.path
            return try FileRecord
                .filter(FileRecord.Columns.libraryPath == absolute || FileRecord.Columns.sourcePath == absolute)
                .order(FileRecord.Columns.id.desc)
                .fetchOne(db)
        }
    }
}
