import Foundation
import GRDB
import Logging

/// Keeps every subject's trainer-ready folder in step with the journal: kept images linked into
/// `img/`, each with its caption; images that stop being kept leave; `dataset_config.toml` follows.
///
/// It only ever removes files it put into the dataset itself (recorded in `datasetEntry`), and only
/// hard links or copies of library files: the user's originals are never touched. Thread-safe: the
/// ingest worker, the external-caption worker and the CLI may all call `sync`.
public final class DatasetKeeper: IngestObserver, @unchecked Sendable {
    public let config: WinnowConfig
    public let database: WinnowDatabase
    public let captions: CaptionStore
    /// Identity of the configured external captioner, if any: its cached answers are used for captions.
    public let externalIdentity: String?
    private let journal: Journal
    private let library: LibraryLayout
    private let builtIn: BuiltInCaptioner
    private let logger: Logger
    private let lock = NSLock()

    public init(config: WinnowConfig, database: WinnowDatabase, logger: Logger = Logger(label: "winnow.dataset")) {
        self.config = config
        self.database = database
        self.captions = CaptionStore(database: database)
        self.externalIdentity = config.captions.external.map(ExternalCaptioners.identity)
        self.journal = Journal(database: database)
        self.library = LibraryLayout(root: config.library)
        self.builtIn = BuiltInCaptioner(settings: config.captions, resolution: config.dataset.resolution)
        self.logger = logger
    }

    public func layout(subject: String) -> DatasetLayout {
        DatasetLayout(library: library, subjectName: subject, subject: config.settings(for: subject), repeats: config.dataset.repeats)
    }

    // MARK: IngestObserver

    public func fileChanged(_ row: FileRecord) {
        do {
            try sync(subject: row.subject, changed: row)
            // A kept image may be another subject's regularization image.
            for other in try subjectsUsingRegularization(from: row.subject) { try sync(subject: other, changed: row) }
        } catch {
            logger.error("dataset for \(row.subject): \(error)")
        }
    }

    // MARK: Sync

    /// What one sync did.
    public struct SyncResult: Sendable, Equatable {
        public var images = 0, regImages = 0, linked = 0, removed = 0, captionsWritten = 0, userCaptions = 0
        /// Names in the dataset folder that are not winnow's and block an image (never overwritten).
        public var conflicts: [String] = []
    }

    /// Brings `subject`'s dataset folder up to date; idempotent. With `changed` (the ingest path) only that
    /// file and missing or leaving entries are looked at, so keeping up costs O(1) file work per image;
    /// without it (daemon start, CLI, new external captions) every image and caption is checked.
    @discardableResult
    public func sync(subject: String, changed: FileRecord? = nil) throws -> SyncResult {
        // Loose files of no subject yet are nobody's training set.
        guard subject != Subject.unsorted else { return SyncResult() }
        lock.lock()
        defer { lock.unlock() }
        let layout = layout(subject: subject)
        let settings = config.settings(for: subject)
        var result = SyncResult()

        let kept = try keptRows(subject: subject)
        var desired: [String: (row: FileRecord, kind: String)] = [:]
        let imageFolder = layout.imageFolder.path, regFolder = layout.regFolder.path
        for (row, name) in Self.datasetNames(kept, prefix: nil) {
            desired[imageFolder + "/" + name] = (row, "img")
        }
        for other in try regularizationSources(subject: subject) where other != subject
            && config.settings(for: other).classToken == settings.classToken {
            for (row, name) in Self.datasetNames(try keptRows(subject: other), prefix: other) {
                desired[regFolder + "/" + name] = (row, "reg")
            }
        }

        // Leave: entries no longer wanted (rejected, re-placed elsewhere, renamed folder).
        var entries = try self.entries(subject: subject)
        for (path, sha) in entries where desired[path] == nil {
            let image = URL(fileURLWithPath: path)
            if Self.isStillOurs(path, sha256: sha), try libraryCopyExists(ofEntry: path, placedAt: path) { unlink(path) }
            result.removed += 1
            try captions.removeIfOwn(DatasetLayout.captionFile(for: image))
            try forgetEntry(path)
            entries[path] = nil
        }

        // Arrive: link (or copy) each wanted image, then its caption.
        var captionPaths = Set<String>()
        for (path, wanted) in desired.sorted(by: { $0.key < $1.key }) {
            if let changed, wanted.row.id != changed.id, entries[path] != nil {
                if wanted.kind == "reg" { result.regImages += 1 } else { result.images += 1 }
                continue
            }
            let destination = URL(fileURLWithPath: path)
            guard let source = wanted.row.libraryPath else { continue }
            let captionFile = DatasetLayout.captionFile(for: destination)
            let recorded = entries[path].map { Entry(sha256: $0) }
            switch try place(source: source, at: destination, sha256: wanted.row.sha256, ours: recorded) {
            case .conflict: result.conflicts.append(path); continue
            case .linked: result.linked += 1
            case .present: break
            }
            // Only changes are written: a sync runs after every file, so it must cost reads, not transactions.
            if entries[path] == nil || entries[path]! != wanted.row.sha256 {
                try remember(path: path, subject: subject, row: wanted.row, kind: wanted.kind)
            }
            if wanted.kind == "reg" { result.regImages += 1; continue }
            result.images += 1
            captionPaths.insert(captionFile.path)
            try adoptMovedUserCaption(to: captionFile, fileID: wanted.row.id, subject: subject)
            let (text, origin) = try caption(for: wanted.row, subject: settings)
            switch try captions.write(text, to: captionFile, subject: subject, fileID: wanted.row.id, source: origin) {
            case .written: result.captionsWritten += 1
            case .userEdited: result.userCaptions += 1
            case .unchanged: break
            }
        }
        // Captions of images that left (their entries may be gone already).
        for file in try captions.files(subject: subject) where changed == nil
            && !captionPaths.contains(file.path) && file.path.hasSuffix(".txt") {
            try captions.removeIfOwn(URL(fileURLWithPath: file.path))
        }
        removeEmptyFolders(layout)
        try writeConfig(layout, hasReg: result.regImages > 0, subject: subject)
        return result
    }

    /// Syncs every subject that has files (the daemon does this at start, so config changes take effect).
    public func syncAll() {
        for subject in subjects() {
            do { try sync(subject: subject) } catch { logger.error("dataset for \(subject): \(error)") }
        }
    }

    /// `winnow caption --redo`: every caption winnow wrote for `subject` is written again from the current
    /// facts and template, and the external captioner's answers are forgotten so it is asked again.
    /// Captions the user edited stay as they are.
    @discardableResult
    public func redoCaptions(subject: String) throws -> SyncResult {
        if externalIdentity != nil {
            try captions.forgetExternal(imageSha256s: try keptRows(subject: subject).compactMap(\.sha256))
        }
        return try sync(subject: subject)
    }

    /// Every subject winnow has files of.
    public func subjects() -> [String] {
        (try? database.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT subject FROM file ORDER BY subject") }) ?? []
    }

    /// The caption text and its source for a kept image.
    public func caption(for row: FileRecord, subject: SubjectSettings) throws -> (text: String, source: String) {
        let facts = row.imageFacts
        let request = CaptionRequest(imagePath: row.libraryPath ?? row.currentPath, facts: facts, subject: subject)
        if let identity = externalIdentity, let sha = row.sha256,
           let external = try captions.externalCaption(imageSha256: sha, captioner: identity) {
            let tokens = MeasuredTokens(facts: facts, settings: config.captions, resolution: config.dataset.resolution)
            return (CaptionText.merge(external: external, tokens: tokens, subject: subject, maxWords: config.captions.maxWords),
                    "external:" + identity)
        }
        return (builtIn.compose(request), "builtin")
    }

    /// Kept, placed rows of `subject` whose library file is there, oldest first.
    public func keptRows(subject: String) throws -> [FileRecord] {
        try journal.list(subject: subject, verdict: .kept).filter { row in
            row.state == .placed && row.libraryPath.map(DropScanner.isRegularFile) == true
        }
    }

    /// Subjects whose `reg/` draws on `subject` (config `reg_from`, or `winnow reg`).
    public func subjectsUsingRegularization(from subject: String) throws -> [String] {
        var names = Set(config.subjects.filter { $0.value.regularizationFrom.contains(subject) }.map(\.key))
        let stored = try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM setting WHERE key LIKE 'reg_from.%'")
        }
        for row in stored {
            let key: String = row["key"], value: String = row["value"]
            if value.split(separator: "\n").contains(Substring(subject)) { names.insert(String(key.dropFirst("reg_from.".count))) }
        }
        names.remove(subject)
        return names.sorted()
    }

    /// The subjects `subject`'s regularization images come from.
    public func regularizationSources(subject: String) throws -> [String] {
        let stored = try database.setting("reg_from.\(subject)").map { $0.split(separator: "\n").map(String.init) } ?? []
        return Array(Set(config.settings(for: subject).regularizationFrom + stored)).sorted()
    }

    /// Sets the subjects `winnow reg` draws regularization images from (replacing the previous list).
    public func setRegularizationSources(_ others: [String], for subject: String) throws {
        try database.setSetting("reg_from.\(subject)", others.joined(separator: "\n"))
    }

    // MARK: naming

    /// A dataset file name per row: the library name, with `-<id>` added when an earlier row took the stem
    /// (a caption `.txt` is per stem, so `a.jpg` and `a.png` collide too).
    static func datasetNames(_ rows: [FileRecord], prefix: String?) -> [(FileRecord, String)] {
        var taken = Set<String>()
        return rows.sorted { ($0.id ?? 0) < ($1.id ?? 0) }.compactMap { row in
            guard let path = row.libraryPath else { return nil }
            let name = (path as NSString).lastPathComponent
            var stem = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            if let prefix { stem = "\(prefix)_\(stem)" }
            if taken.contains(stem.lowercased()) { stem += "-\(row.id ?? 0)" }
            taken.insert(stem.lowercased())
            return (row, ext.isEmpty ? stem : "\(stem).\(ext)")
        }
    }

    // MARK: files

    /// Whether the image behind a dataset entry still has another name (its library file, or any hard link):
    /// the dataset copy is never the last one that goes.
    private func libraryCopyExists(ofEntry entry: String, placedAt path: String) throws -> Bool {
        var info = stat()
        if lstat(path, &info) == 0, info.st_nlink > 1 { return true }
        let fileID = try database.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT fileId FROM datasetEntry WHERE path = ?", arguments: [entry])
        }
        guard let fileID, let library = try journal.row(id: fileID)?.libraryPath else { return false }
        return library != path && DropScanner.isRegularFile(library)
    }

    /// Whether the file winnow placed at `path` is still its own: another name of a library file (a hard
    /// link), or a copy with the content it was made from. A file the user put there instead stays.
    static func isStillOurs(_ path: String, sha256: String?) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        if info.st_nlink > 1 { return true }
        return sha256 != nil && (try? ContentHash.sha256(of: path)) == sha256
    }

    private enum Placement { case present, linked, conflict }

    /// A dataset file winnow placed, with the content it had then.
    private struct Entry { var sha256: String? }

    /// Puts `source` at `destination` unless it is there already. A file there that winnow did not place
    /// (`ours` nil) is the user's: a conflict, never replaced.
    private func place(source: String, at destination: URL, sha256: String?, ours: Entry?) throws -> Placement {
        var target = stat(), original = stat()
        if lstat(destination.path, &target) == 0 {
            let sameInode = stat(source, &original) == 0 && original.st_ino == target.st_ino && original.st_dev == target.st_dev
            // A copy (no hard links on that file system) is current when it was made from the same content.
            let currentCopy = ours?.sha256 != nil && ours?.sha256 == sha256
            if sameInode || currentCopy { return .present }
            guard ours != nil else { return .conflict }
            unlink(destination.path)  // our stale link or copy of a file that was re-placed
        }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if link(source, destination.path) == 0 { return .linked }
        // The CLI and the daemon may sync at once: the other one just made this very link.
        if errno == EEXIST, lstat(destination.path, &target) == 0, stat(source, &original) == 0,
           original.st_ino == target.st_ino && original.st_dev == target.st_dev { return .present }
        // Another file system (or no hard links): a copy, made whole before it gets its name.
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".winnow-\(UUID().uuidString.prefix(8)).tmp")
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary.path)
            guard link(temporary.path, destination.path) == 0 else {
                throw CaptionerError("cannot place \(destination.path): \(String(cString: strerror(errno)))")
            }
            unlink(temporary.path)
        } catch {
            unlink(temporary.path)
            throw error
        }
        return .linked
    }

    /// A caption the user edited stays with its image when the image's dataset name or folder changes.
    private func adoptMovedUserCaption(to captionFile: URL, fileID: Int64?, subject: String) throws {
        guard let fileID, !FileManager.default.fileExists(atPath: captionFile.path) else { return }
        let previous = try database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT path FROM captionFile WHERE subject = ? AND fileId = ? AND path != ?",
                                arguments: [subject, fileID, captionFile.path])
        }
        for path in previous where FileManager.default.fileExists(atPath: path) {
            guard try !captions.isOwn(URL(fileURLWithPath: path)) else { continue }
            guard rename(path, captionFile.path) == 0 else { continue }
            try database.pool.write { db in
                try db.execute(sql: "UPDATE captionFile SET path = ? WHERE path = ?", arguments: [captionFile.path, path])
            }
            return
        }
    }

    private func removeEmptyFolders(_ layout: DatasetLayout) {
        for parent in [layout.imageParent, layout.regParent] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { continue }
            for name in names where name != layout.imageFolderName || parent == layout.regParent {
                rmdir(parent.appendingPathComponent(name).path)  // fails, harmlessly, unless empty
            }
            rmdir(parent.path)
        }
    }

    private func writeConfig(_ layout: DatasetLayout, hasReg: Bool, subject: String) throws {
        guard FileManager.default.fileExists(atPath: layout.imageFolder.path) || hasReg else { return }
        var subsets = [DatasetConfigFile.Subset(
            imageDir: "img/\(layout.imageFolderName)",
            classTokens: "\(layout.subject.trigger) \(layout.subject.classToken)", repeats: layout.repeats, isReg: false)]
        if hasReg {
            subsets.append(.init(imageDir: "reg/\(layout.regFolderName)", classTokens: layout.subject.classToken, repeats: 1, isReg: true))
        }
        let text = DatasetConfigFile.render(resolution: config.dataset.resolution, subsets: subsets)
        try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true)
        if try captions.write(text, to: layout.configFile, subject: subject, fileID: nil, source: "dataset-config") == .userEdited {
            logger.notice("\(layout.configFile.path) was edited by you: winnow no longer updates it")
        }
    }

    // MARK: records

    /// Path → sha256 (nil for unknown content) of the dataset files winnow placed for `subject`.
    private func entries(subject: String) throws -> [String: String?] {
        try database.pool.read { db in
            var out: [String: String?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, sha256 FROM datasetEntry WHERE subject = ?", arguments: [subject]) {
                out[row["path"]] = .some(row["sha256"])
            }
            return out
        }
    }

    private func remember(path: String, subject: String, row: FileRecord, kind: String) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO datasetEntry(path, subject, fileId, kind, sha256, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET fileId = excluded.fileId, kind = excluded.kind, sha256 = excluded.sha256,
                    updatedAt = excluded.updatedAt
                """, arguments: [path, subject, row.id, kind, row.sha256, Date()])
        }
    }

    private func forgetEntry(_ path: String) throws {
        try database.pool.write { db in try db.execute(sql: "DELETE FROM datasetEntry WHERE path = ?", arguments: [path]) }
    }
}
