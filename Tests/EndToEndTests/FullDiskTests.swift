import Foundation
import Testing

/// A library on a tiny tmpfs: a full disk must leave the unplaced files where they were, whole.
@Suite struct FullDiskTests {
    static let canMount = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/mount")

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aFullLibraryDiskLosesNothingAndTheRestLandsAfterARestart() throws {
        let harness = try DaemonHarness()
        let mountPoint = harness.home.appendingPathComponent("Pictures", isDirectory: true)
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        #expect(run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path) == 0)
        defer { _ = run("/usr/bin/umount", "-l", mountPoint.path) }

        try harness.startDaemon()
        // Eight photos of 150 KB or more: well over the 1 MB the library has.
        let photos = try DaemonHarness.photos(60).filter { (try? Data(contentsOf: $0).count) ?? 0 >= 150_000 }.prefix(8).map { $0 }
        #expect(photos.count == 8)
        for (index, photo) in photos.enumerated() {
            try FileManager.default.copyItem(at: photo, to: harness.drop.appendingPathComponent("p\(index).jpg"))
        }
        try harness.wait("the disk to fill up") {
            harness.log.contains("No space left on device")
        }
        try harness.wait("every file to be either placed or left waiting") {
            harness.files(under: harness.drop).count + harness.placedFiles.count == photos.count
        }
        let waiting = harness.files(under: harness.drop)
        #expect(!waiting.isEmpty, "the tmpfs should have been too small for all \(photos.count) photos")
        for name in waiting {
            let index = Int(name.dropFirst().prefix { $0.isNumber })!
            #expect(try Data(contentsOf: harness.drop.appendingPathComponent(name)) == Data(contentsOf: photos[index]))
        }
        #expect(!harness.placedFiles.contains { $0.hasSuffix(".tmp") })
        #expect(try harness.run(["status", "--json"]).stdout.contains("\"running\":true"))

        // Room again: a restart finishes the job.
        try harness.stopDaemon()
        #expect(run("/usr/bin/mount", "-o", "remount,size=64m", mountPoint.path) == 0)
        try harness.startDaemon()
        try harness.wait("the waiting files to land") {
            harness.files(under: harness.drop).isEmpty && harness.placedFiles.count == photos.count
        }
    }

    private func run(_ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
