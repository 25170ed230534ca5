import Foundation
import GRDB

/// The SQLite state, in WAL mode so the CLI reads while the daemon writes.
public final class WinnowDatabase: Sendable {
    public let pool: DatabasePool

    /// Opens (creating if needed) the database and brings its schema up to date.
    public init(file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: file.path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// Versioned migrations: append, never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: file journal and settings") { db in
            try db.create(table: "file") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("subject", .text).notNull()
                t.column("sourcePath", .text).notNull()
                t.column("plannedPath", .text)
                t.column("libraryPath", .text)
                t.column("size", .integer).notNull()
                t.column("mtime", .double).notNull()
                t.column("sha256", .text)
                t.column("state", .text).notNull()
                t.column("verdict", .text)
                t.column("reason", .text)
                t.column("duplicateOf", .integer).references("file", onDelete: .setNull)
                t.column("facts", .text)
                t.column("userVerdict", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "file_on_sha256", on: "file", columns: ["sha256"])
            try db.create(index: "file_on_state", on: "file", columns: ["state"])
            try db.create(index: "file_on_subject_verdict", on: "file", columns: ["subject", "verdict"])
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        DatasetRecords.registerMigration(in: &migrator)
        migrator.registerMigration("v3: user's not-duplicate pairs") { db in
            try db.create(table: "not_duplicate") { t in
                t.column("a", .text).notNull()  // sha256, the smaller of the two
                t.column("b", .text).notNull()
                t.primaryKey(["a", "b"])
            }
        }
        return migrator
    }

    /// Records that the user says the files with these contents are not copies of each other.
    public func markNotDuplicate(_ x: String, _ y: String) throws {
        let (a, b) = x < y ? (x, y) : (y, x)
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO not_duplicate(a, b) VALUES (?, ?)", arguments: [a, b])
        }
    }

    public func isNotDuplicate(_ x: String, _ y: String) throws -> Bool {
        let (a, b) = x < y ? (x, y) : (y, x)
        return try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM not_duplicate WHERE a = ? AND b = ?", arguments: [a, b]) ?? false
        }
    }

    public func setting(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [key, value])
        }
    }

    /// The subject loose files in a drop folder belong to (`winnow use`).
    public func currentSubject() throws -> String { try setting("current_subject") ?? Subject.unsorted }
}
