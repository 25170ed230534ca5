import Crypto
import Foundation
import GRDB

/// Writes caption files and remembers what it wrote, so a caption the user edited is never overwritten.
public struct CaptionStore: Sendable {
    public let database: WinnowDatabase

    public init(database: WinnowDatabase) { self.database = database }

    public enum Outcome: String, Sendable {
        case written, unchanged
        /// The file differs from what winnow wrote (or winnow never wrote it): left alone.
        case userEdited = "user-edited"
    }

    /// Puts `caption` into `file` unless the file there is the user's.
    @discardableResult
    public func write(_ caption: String, to file: URL, subject: String, fileID: Int64?, source: String) throws -> Outcome {
        let bytes = Data((caption + "\n").utf8)
        let newHash = Self.hash(bytes)
        let path = file.path
        if let current = FileManager.default.contents(atPath: path) {
            guard try writtenHash(path) == Self.hash(current) else { return .userEdited }
            if current == bytes { return .unchanged }
        } else if FileManager.default.fileExists(atPath: path) {
            return .userEdited  // unreadable: not ours to touch
        }
        try Self.atomicWrite(bytes, to: file)
        try remember(path: path, hash: newHash, subject: subject, fileID: fileID, source: source)
        return .written
    }

    /// Whether `file` holds exactly what winnow last wrote there.
    public func isOwn(_ file: URL) throws -> Bool {
        guard let current = FileManager.default.contents(atPath: file.path) else { return false }
        return try writtenHash(file.path) == Self.hash(current)
    }

    /// Removes `file` if it is winnow's own; a user-edited caption stays, and so does its record (it lets the
    /// caption follow its image if the image comes back under another name). Returns whether it was removed.
    @discardableResult
    public func removeIfOwn(_ file: URL) throws -> Bool {
        let exists = FileManager.default.fileExists(atPath: file.path)
        guard try !exists || isOwn(file) else { return false }
        try database.pool.write { db in try db.execute(sql: "DELETE FROM captionFile WHERE path = ?", arguments: [file.path]) }
        return exists && unlink(file.path) == 0
    }

    /// Caption files winnow wrote for `subject`, with whether each is still unedited.
    public func files(subject: String) throws -> [(path: String, own: Bool)] {
        let rows = try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT path, sha256 FROM captionFile WHERE subject = ? ORDER BY path", arguments: [subject])
        }
        return rows.map { row in
            let path: String = row["path"]
            let hash: String = row["sha256"]
            let own = FileManager.default.contents(atPath: path).map { Self.hash($0) == hash } ?? false
            return (path, own)
        }
    }

    // MARK: external captions

    /// The external caption for this image content, if the captioner gave one.
    public func externalCaption(imageSha256: String, captioner: String) throws -> String? {
        try database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT text FROM externalCaption WHERE imageSha256 = ? AND captioner = ?",
                                arguments: [imageSha256, captioner])
        }
    }

    public func saveExternal(_ text: String, imageSha256: String, captioner: String) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO externalCaption(imageSha256, captioner, text, attempts, lastError, nextAttemptAt, updatedAt)
                VALUES (?, ?, ?, 0, NULL, NULL, ?)
                ON CONFLICT(imageSha256, captioner) DO UPDATE SET text = excluded.text, lastError = NULL,
                    nextAttemptAt = NULL, updatedAt = excluded.updatedAt
                """, arguments: [imageSha256, captioner, text, Date()])
        }
    }

    /// Records a failure; the next try waits `retryAfter` seconds (the caller backs off).
    public func recordFailure(_ error: String, imageSha256: String, captioner: String, retryAfter: Double) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO externalCaption(imageSha256, captioner, text, attempts, lastError, nextAttemptAt, updatedAt)
                VALUES (?, ?, NULL, 1, ?, ?, ?)
                ON CONFLICT(imageSha256, captioner) DO UPDATE SET attempts = attempts + 1, lastError = excluded.lastError,
                    nextAttemptAt = excluded.nextAttemptAt, updatedAt = excluded.updatedAt
                """, arguments: [imageSha256, captioner, error, Date().timeIntervalSince1970 + retryAfter, Date()])
        }
    }

    /// Attempts so far and when the next one is due (nil: never tried, or done).
    public func externalState(imageSha256: String, captioner: String) throws -> (attempts: Int, nextAttemptAt: Double?, lastError: String?, done: Bool) {
        try database.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM externalCaption WHERE imageSha256 = ? AND captioner = ?",
                                             arguments: [imageSha256, captioner]) else { return (0, nil, nil, false) }
            let text: String? = row["text"]
            return (row["attempts"], row["nextAttemptAt"], row["lastError"], text != nil)
        }
    }

    /// Forgets external captions of these images, so they are asked for again (`winnow caption --redo`).
    public func forgetExternal(imageSha256s: [String]) throws {
        try database.pool.write { db in
            for sha in imageSha256s { try db.execute(sql: "DELETE FROM externalCaption WHERE imageSha256 = ?", arguments: [sha]) }
        }
    }

    // MARK: helpers

    private func writtenHash(_ path: String) throws -> String? {
        try database.pool.read { db in try String.fetchOne(db, sql: "SELECT sha256 FROM captionFile WHERE path = ?", arguments: [path]) }
    }

    private func remember(path: String, hash: String, subject: String, fileID: Int64?, source: String) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO captionFile(path, subject, fileId, sha256, source, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET subject = excluded.subject, fileId = excluded.fileId,
                    sha256 = excluded.sha256, source = excluded.source, updatedAt = excluded.updatedAt
                """, arguments: [path, subject, fileID, hash, source, Date()])
        }
    }

    static func hash(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Temp file + rename in the same folder: a reader never sees half a caption.
    static func atomicWrite(_ data: Data, to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".winnow-caption-\(UUID().uuidString.prefix(8)).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CaptionerError("cannot write \(file.path): \(message)")
        }
    }
}
