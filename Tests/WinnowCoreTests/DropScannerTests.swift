import Foundation
import Testing
@testable import WinnowCore

/// The folder scan on a real temp folder: what it hands on and what it leaves to the watcher.
struct DropScannerTests {
    @Test func aFileStillOpenForWritingIsLeftToItsCloseWriteEvent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let drop = DropFolder(path: folder, mode: .subfolderPerSubject)
        try Data("finished".utf8).write(to: folder.appendingPathComponent("done.jpg"))
        let writing = folder.appendingPathComponent("writing.jpg")
        #expect(FileManager.default.createFile(atPath: writing.path, contents: nil))
        let handle = try FileHandle(forWritingTo: writing)
        try handle.write(contentsOf: Data("half".utf8))

        #expect(DropScanner.files(under: folder, dropFolder: drop).map(\.path.lastPathComponent) == ["done.jpg"])
        try handle.close()
        #expect(DropScanner.files(under: folder, dropFolder: drop).map(\.path.lastPathComponent) == ["done.jpg", "writing.jpg"])
    }
}
