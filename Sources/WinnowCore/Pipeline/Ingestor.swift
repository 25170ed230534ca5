import Foundation
import Logging

/// Takes one finished drop file through journal → hash → analyze → decide → place.
///
/// Not thread-safe by design: the daemon feeds it one file at a time, so the journal never
/// sees two moves of one file.
public final class Ingestor: @unchecked Sendable {
    public let config: WinnowConfig
    public let database: WinnowDatabase
    public let journal: Journal
    public let analyzer: ImageAnalyzer
    public let layout: LibraryLayout
    public let judge: Judge
    /// Every placed image's hash, per subject (rebuilt from the journal at first use).
    public let nearDuplicates: NearDuplicateIndex
    /// Held while one file is judged and placed, against `winnow keep`/`reject` moving files at that moment.
    private let libraryLock: LibraryLock
    /// Stages after placement (captions, dataset, notifications).
    public var observers: [any IngestObserver] = []
    private let logger: Logger

    public init(config: WinnowConfig, database: WinnowDatabase, analyzer: ImageAnalyzer? = nil, logger: Logger) {
        self.config = config
        self.database = database
        self.journal = Journal(database: database)
        self.analyzer = analyzer ?? ImageAnalyzer(settings: config.analysis, stages: AnalysisStages.standard(config: config))
        self.layout = LibraryLayout(root: config.library)
        self.judge = Judge(faces: config.analysis.faces)
        self.nearDuplicates = NearDuplicateIndex(database: database)
        self.libraryLock = LibraryLock(stateDirectory: config.stateDirectory)
        self.logger = logger
    }

    /// Works out what needs no journal: the file's hash and its facts. Safe to call from several threads
    /// at once, so the daemon analyses the next files of a burst while it places the current one.
    /// Returns nil when the file cannot be read now (`process` then finds out why).
    public func prepare(_ file: DropFile) -> PreparedFile? {
        let path = file.path.path
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let sha = try? ContentHash.sha256(of: path) else { return nil }
        return PreparedFile(path: path, size: Int64(info.st_size), mtime: info.st_mtim, sha256: sha,
                            analysis: analyze(path: path, sha: sha, size: Int64(info.st_size)))
    }

    /// Processes `file` if it is still there; returns its finished row, or nil when there was nothing to do.
    /// `prepared` (from `prepare`) is used when it describes the file as it is now.
    @discardableResult
    public func process(_ file: DropFile, prepared: PreparedFile? = nil) throws -> FileRecord? {
        try libraryLock.withLock { try commit(file, prepared: prepared) }
    }

    private func commit(_ file: DropFile, prepared: PreparedFile?) throws -> FileRecord? {
        let path = file.path.path
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let subject = file.subject(current: try database.currentSubject())
        var row = try journal.record(path: path, subject: subject, size: Int64(info.st_size),
                                     mtime: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        if try finishInterruptedMove(&row) { return row }
        let prepared = prepared.flatMap { $0.describes(path: path, info) ? $0 : nil }

        var verdict: Verdict
        var displaced: [FileRecord] = []
        do {
            let size = Int64(info.st_size)
            let sha = try prepared?.sha256 ?? ContentHash.sha256(of: path)
            row.sha256 = sha
            if let original = try journal.placed(sha256: sha, subject: subject, excluding: row.id) {
                verdict = Verdict(.duplicate, reason: "same bytes as \(original.currentPath)", duplicateOf: original.id)
                row.facts = original.facts
            } else {
                verdict = try judge(prepared?.analysis ?? analyze(path: path, sha: sha, size: size), row: &row)
                if let facts = row.imageFacts {
                    (verdict, displaced) = try nearDuplicateVerdict(for: row, facts: facts, verdict: verdict)
                }
            }
        } catch let error as CocoaError {
            verdict = Verdict(.unreadable, reason: "cannot read the file: \(error.localizedDescription)")
        }
        row.verdict = verdict.kind
        row.reason = verdict.reason
        row.duplicateOf = verdict.duplicateOf
        try place(&row, name: file.path.lastPathComponent)
        nearDuplicates.insert(row)
        try setAside(displaced, for: row)
        logger.info("\(verdict.kind.rawValue): \(file.path.lastPathComponent) → \(row.libraryPath ?? "?")\(verdict.reason.map { " (\($0))" } ?? "")")
        notify(row)
        return row
    }

    private func analyze(path: String, sha: String, size: Int64) -> Result<ImageFacts, any Error> {
        Result { try analyzer.analyze(path: path, sha256: sha, byteCount: size) }
    }

    /// A decoder error is the file's verdict; any other error is the daemon's problem and is thrown.
    private func judge(_ analysis: Result<ImageFacts, any Error>, row: inout FileRecord) throws -> Verdict {
        do {
            let facts = try analysis.get()
            row.facts = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
            return judge.verdict(for: facts)
        } catch let error as DecodeError {
            return Verdict(error.notAnImage ? .notImage : .unreadable, reason: "decoder: \(error.message)")
        }
    }

    /// Records where the file goes, then moves it there: a crash between the two is reconciled.
    private func place(_ row: inout FileRecord, name: String) throws {
        let kind = row.effectiveVerdict ?? .kept
        let bin = kind == .kept ? LibraryBins.folderName(for: row.imageFacts) : nil
        let folder = layout.folder(subject: row.subject, verdict: kind, bin: bin)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let destination = FileMover.freeDestination(for: name, in: folder)
        row.plannedPath = destination.path
        try journal.save(row)
        try FileMover.move(URL(fileURLWithPath: row.sourcePath), to: destination)
        row.libraryPath = destination.path
        row.state = .placed
        try journal.save(row)
    }

    /// A row that already had a destination when the daemon died: finish that move instead of starting over.
    private func finishInterruptedMove(_ row: inout FileRecord) throws -> Bool {
        guard let planned = row.plannedPath else { return false }
        var source = stat(), target = stat()
        let sourceThere = lstat(row.sourcePath, &source) == 0
        guard lstat(planned, &target) == 0 else { return false }
        let sameFile = sourceThere && source.st_ino == target.st_ino && source.st_dev == target.st_dev
        let completeCopy = sourceThere && !sameFile && target.st_size == source.st_size
            && (try? ContentHash.sha256(of: planned)) == (try? ContentHash.sha256(of: row.sourcePath))
        if sourceThere && !(sameFile || completeCopy) { return false }
        if sourceThere { unlink(row.sourcePath) }
        row.libraryPath = planned
        row.state = .placed
        try journal.save(row)
        logger.info("finished interrupted move: \(planned)")
        return true
    }

    public func notify(_ row: FileRecord) {
        for observer in observers { observer.fileChanged(row) }
    }

    /// Called by the daemon when a file could not be processed.
    public func report(_ problem: IngestProblem) {
        for observer in observers { observer.problem(problem) }
    }

    /// Called by the daemon when no file is waiting.
    public func queueDrained() {
        for observer in observers { observer.queueDrained() }
    }

    /// Start-up reconciliation: rows whose work was interrupted are finished; returns how many.
    @discardableResult
    public func reconcileJournal() throws -> Int {
        try libraryLock.withLock { try reconcileRows() }
    }

    private func reconcileRows() throws -> Int {
        var finished = 0
        for var row in try journal.unfinished() {
            if try finishInterruptedMove(&row) { finished += 1; continue }
            if DropScanner.isRegularFile(row.sourcePath) { continue }  // the drop-folder scan redoes it
            row.state = .vanished
            try journal.save(row)
            logger.notice("\(row.sourcePath) left the drop folder before it was processed")
        }
        return finished
    }
}
