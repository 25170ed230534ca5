import Foundation
import Logging
import Synchronization
import Testing
@testable import WinnowCore

/// The ingestor against a real SQLite file and real images, without the watcher.
@Suite struct IngestorTests {
    let root: URL
    let config: WinnowConfig
    let database: WinnowDatabase
    let ingestor: Ingestor

    static let photo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data/faces/images/deepface__tests_unit_dataset_img2.jpg")

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID().uuidString)")
        let drop = DropFolder(path: root.appendingPathComponent("drop"), mode: .subfolderPerSubject)
        try FileManager.default.createDirectory(at: drop.path, withIntermediateDirectories: true)
        config = WinnowConfig(library: root.appendingPathComponent("lib"), stateDirectory: root.appendingPathComponent("state"),
                              dropFolders: [drop])
        database = try WinnowDatabase(file: config.databaseFile)
        ingestor = Ingestor(config: config, database: database, logger: Logger(label: "test"))
    }

    func drop(_ name: String) throws -> DropFile {
        let url = config.dropFolders[0].path.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.photo, to: url)
        return DropFile(path: url, dropFolder: config.dropFolders[0])
    }

    @Test func aProcessedFileIsJournaledWithItsHashAndFacts() throws {
        let row = try #require(try ingestor.process(drop("a.jpg")))
        #expect(row.state == .placed)
        #expect(row.sha256 == (try ContentHash.sha256(of: row.libraryPath!)))
        #expect(row.imageFacts?.width == 1536 && row.imageFacts?.height == 1152)
        #expect(row.imageFacts?.format == "jpegload")
    }

    @Test func aFileRewrittenAfterItWasAnalysedAheadIsAnalysedAgain() throws {
        let file = try drop("a.jpg")
        let prepared = try #require(ingestor.prepare(file))
        let other = Self.photo.deletingLastPathComponent().appendingPathComponent("deepface__tests_unit_dataset_img1.jpg")
        try FileManager.default.removeItem(at: file.path)
        try FileManager.default.copyItem(at: other, to: file.path)

        let row = try #require(try ingestor.process(file, prepared: prepared))
        #expect(row.sha256 == (try ContentHash.sha256(of: other.path)))
        #expect(row.sha256 != prepared.sha256)
        #expect(row.imageFacts?.sha256 == row.sha256)
    }

    @Test func aFileAnalysedAheadGetsTheSameRowAsOneAnalysedInTurn() throws {
        let ahead = try drop("anne/ahead.jpg")
        let prepared = try #require(ingestor.prepare(ahead))
        let aheadRow = try #require(try ingestor.process(ahead, prepared: prepared))
        let inTurn = try #require(try ingestor.process(drop("kelly/in-turn.jpg")))
        #expect(aheadRow.sha256 == inTurn.sha256)
        #expect(aheadRow.imageFacts == inTurn.imageFacts)
        #expect(aheadRow.verdict == inTurn.verdict)
    }

    @Test func aFileIsNotPlacedWhileAnotherProcessHoldsTheLibraryLock() throws {
        let file = try drop("a.jpg")
        let held = DispatchSemaphore(value: 0)
        let released = Mutex(false)
        let holder = Thread {
            try? LibraryLock(stateDirectory: config.stateDirectory).withLock {
                held.signal()
                Thread.sleep(forTimeInterval: 0.3)
                released.withLock { $0 = true }
            }
        }
        holder.start()
        held.wait()
        let row = try #require(try ingestor.process(file))
        #expect(released.withLock { $0 }, "placed while the lock was held")
        #expect(row.state == .placed)
    }

    @Test func aFileAlreadyGoneIsNotAnError() throws {
        let file = try drop("gone.jpg")
        try FileManager.default.removeItem(at: file.path)
        #expect(try ingestor.process(file) == nil)
    }

    @Test func aMoveInterruptedAfterTheLinkIsFinishedAtStartUp() throws {
        // Simulate a crash between link() and unlink(): the row knows its destination, both names exist.
        let file = try drop("half.jpg")
        var row = try Journal(database: database).record(path: file.path.path, subject: "unsorted", size: 1, mtime: 0)
        let planned = config.library.appendingPathComponent("unsorted/kept/half.jpg")
        try FileManager.default.createDirectory(at: planned.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(link(file.path.path, planned.path) == 0)
        row.plannedPath = planned.path
        try Journal(database: database).save(row)

        #expect(try ingestor.reconcileJournal() == 1)
        #expect(!FileManager.default.fileExists(atPath: file.path.path))
        #expect(FileManager.default.fileExists(atPath: planned.path))
        #expect(try Journal(database: database).row(id: row.id!)?.state == .placed)
    }

    @Test func aRowWhoseFileWasTakenBackIsMarkedVanished() throws {
        let file = try drop("taken.jpg")
        let row = try Journal(database: database).record(path: file.path.path, subject: "unsorted", size: 1, mtime: 0)
        try FileManager.default.removeItem(at: file.path)
        _ = try ingestor.reconcileJournal()
        #expect(try Journal(database: database).row(id: row.id!)?.state == .vanished)
    }

    @Test func subfoldersNameTheSubjectAndLooseFilesTheCurrentOne() throws {
        try database.setSetting("current_subject", "carol")
        #expect(try ingestor.process(drop("loose.jpg"))?.subject == "carol")
        #expect(try ingestor.process(drop("dave/in-folder.jpg"))?.subject == "dave")
    }

    @Test func reopeningTheDatabaseKeepsRowsAndSchema() throws {
        _ = try ingestor.process(drop("kept.jpg"))
        let reopened = try WinnowDatabase(file: config.databaseFile)
        #expect(try Journal(database: reopened).list().count == 1)
        let applied = try reopened.pool.read { try WinnowDatabase.migrator.appliedMigrations($0) }
        #expect(applied == WinnowDatabase.migrator.migrations)
    }
}
