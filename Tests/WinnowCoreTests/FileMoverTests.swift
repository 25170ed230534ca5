import Foundation
import Testing
@testable import WinnowCore

@Suite struct FileMoverTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    @Test func aTakenNameGetsASuffixInsteadOfBeingOverwritten() throws {
        let target = folder.appendingPathComponent("lib", isDirectory: true)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: target.appendingPathComponent("x.jpg"))
        try Data("old".utf8).write(to: target.appendingPathComponent("x-1.jpg"))
        #expect(FileMover.freeDestination(for: "x.jpg", in: target).lastPathComponent == "x-2.jpg")
        #expect(FileMover.freeDestination(for: "noext", in: target).lastPathComponent == "noext")
    }

    @Test func moveRefusesToReplaceAnExistingFile() throws {
        let source = folder.appendingPathComponent("a.jpg")
        let destination = folder.appendingPathComponent("b.jpg")
        try Data("new".utf8).write(to: source)
        try Data("keep me".utf8).write(to: destination)
        #expect(throws: MoveError.self) { try FileMover.move(source, to: destination) }
        #expect(try String(contentsOf: destination, encoding: .utf8) == "keep me")
        #expect(FileManager.default.fileExists(atPath: source.path))
    }

    @Test func moveCreatesTheFolderAndRemovesTheSource() throws {
        let source = folder.appendingPathComponent("a.jpg")
        let destination = folder.appendingPathComponent("deep/er/a.jpg")
        try Data("bytes".utf8).write(to: source)
        try FileMover.move(source, to: destination)
        #expect(!FileManager.default.fileExists(atPath: source.path))
        #expect(try String(contentsOf: destination, encoding: .utf8) == "bytes")
    }

    @Test func moveAcrossFileSystemsCopiesThenRemoves() throws {
        // /dev/shm is a tmpfs on Linux: a different file system from the temp folder's disk.
        let shm = URL(fileURLWithPath: "/dev/shm/winnow-test-\(UUID().uuidString)", isDirectory: true)
        guard (try? FileManager.default.createDirectory(at: shm, withIntermediateDirectories: true)) != nil else { return }
        defer { try? FileManager.default.removeItem(at: shm) }
        let source = shm.appendingPathComponent("a.jpg")
        try Data(repeating: 7, count: 100_000).write(to: source)
        let destination = folder.appendingPathComponent("a.jpg")
        try FileMover.move(source, to: destination)
        #expect(!FileManager.default.fileExists(atPath: source.path))
        #expect(try Data(contentsOf: destination) == Data(repeating: 7, count: 100_000))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }
}
