import Foundation
import Testing

/// The built daemon, real inotify, real libvips, a real SQLite file: files saved the ways browsers save them.
@Suite(.serialized) struct IngestEndToEndTests {
    @Test func everyBrowserSavePatternEndsUpInTheLibraryExactlyOnce() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let photos = try DaemonHarness.photos(6)
        let drop = harness.drop
        let fm = FileManager.default

        // Plain write.
        try fm.copyItem(at: photos[0], to: drop.appendingPathComponent("plain.jpg"))
        // Chrome: .crdownload, then rename.
        try fm.copyItem(at: photos[1], to: drop.appendingPathComponent("chrome.jpg.crdownload"))
        usleep(300_000)
        try fm.moveItem(at: drop.appendingPathComponent("chrome.jpg.crdownload"), to: drop.appendingPathComponent("chrome.jpg"))
        // Firefox: .part, then rename.
        try fm.copyItem(at: photos[2], to: drop.appendingPathComponent("firefox.jpg.part"))
        usleep(300_000)
        try fm.moveItem(at: drop.appendingPathComponent("firefox.jpg.part"), to: drop.appendingPathComponent("firefox.jpg"))
        // A move in from another folder on the same file system.
        let elsewhere = harness.home.appendingPathComponent("elsewhere.jpg")
        try fm.copyItem(at: photos[3], to: elsewhere)
        try fm.moveItem(at: elsewhere, to: drop.appendingPathComponent("moved-in.jpg"))
        // A new subject subfolder, with a file written into it at once.
        let anne = drop.appendingPathComponent("anne", isDirectory: true)
        try fm.createDirectory(at: anne, withIntermediateDirectories: true)
        try fm.copyItem(at: photos[4], to: anne.appendingPathComponent("anne-1.jpg"))
        // An HTML page saved as .jpg, and a JPEG cut off half way.
        try Data("<!doctype html><html><body>403 Forbidden</body></html>".utf8).write(to: drop.appendingPathComponent("page.jpg"))
        let whole = try Data(contentsOf: photos[5])
        try whole.prefix(whole.count / 2).write(to: drop.appendingPathComponent("truncated.jpg"))

        try harness.wait("the drop folder to empty") {
            harness.files(under: drop).isEmpty && harness.placedFiles.count == 7
        }
        let listed = try decodeJSON([ListedFile].self, try harness.run(["ls", "--json"]).stdout)
        #expect(listed.count == 7)
        #expect(Set(listed.map(\.path)).count == 7)
        #expect(listed.allSatisfy { $0.state == "placed" && fm.fileExists(atPath: $0.path) })
        let byName = Dictionary(uniqueKeysWithValues: listed.map { (URL(fileURLWithPath: $0.sourcePath).lastPathComponent, $0) })
        #expect(byName["anne-1.jpg"]?.subject == "anne")
        #expect(byName["plain.jpg"]?.subject == "unsorted")
        #expect(byName["page.jpg"]?.verdict == "not-image")
        #expect(byName["page.jpg"]?.path.contains("/rejects/not-image/") == true)
        #expect(byName["truncated.jpg"]?.verdict == "unreadable")
        #expect(byName["truncated.jpg"]?.reason?.contains("JPEG") == true || byName["truncated.jpg"]?.reason?.contains("end of") == true)
        // The library holds the very bytes that were saved.
        #expect(try Data(contentsOf: URL(fileURLWithPath: byName["chrome.jpg"]!.path)) == Data(contentsOf: photos[1]))
        try harness.stopDaemon()
        #expect(harness.log.contains("winnow daemon stopped"))
    }

    @Test func aDaemonKilledMidBurstLosesAndDoublesNothing() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let photos = try DaemonHarness.photos(24)
        for (index, photo) in photos.enumerated() {
            try FileManager.default.copyItem(at: photo, to: harness.drop.appendingPathComponent("burst-\(index).jpg"))
        }
        try harness.wait("a few files to be processed") { harness.placedFiles.count >= 3 }
        harness.killDaemon()
        let placedBeforeRestart = harness.placedFiles.count
        try harness.startDaemon()
        try harness.wait("everything to be processed", timeout: 180) {
            harness.files(under: harness.drop).isEmpty && harness.placedFiles.count == photos.count
        }
        try harness.stopDaemon()
        let listed = try decodeJSON([ListedFile].self, try harness.run(["ls", "--json"]).stdout)
        #expect(placedBeforeRestart < photos.count, "the kill came too late to test anything")
        #expect(listed.count == photos.count)
        #expect(Set(listed.map(\.path)).count == photos.count)
        let savedHashes = Set(listed.compactMap(\.sha256))
        #expect(savedHashes.count == photos.count)
    }

    @Test func theSameBytesSavedTwiceAreAnExactDuplicate() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let photo = try DaemonHarness.photos(1)[0]
        try FileManager.default.copyItem(at: photo, to: harness.drop.appendingPathComponent("first.jpg"))
        try harness.wait("first file") { harness.placedFiles.count == 1 }
        try FileManager.default.copyItem(at: photo, to: harness.drop.appendingPathComponent("again.jpg"))
        try harness.wait("second file") { harness.placedFiles.count == 2 }
        let listed = try decodeJSON([ListedFile].self, try harness.run(["ls", "--json"]).stdout)
        let again = try #require(listed.first { $0.sourcePath.hasSuffix("again.jpg") })
        #expect(again.verdict == "duplicate")
        #expect(again.path.contains("/rejects/duplicate/"))
    }

    @Test func specialFilesAndSymlinksAreSkippedWithoutBlocking() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let photo = try DaemonHarness.photos(1)[0]
        #expect(mkfifo(harness.drop.appendingPathComponent("pipe.jpg").path, 0o644) == 0)
        let outside = harness.home.appendingPathComponent("outside.jpg")
        try FileManager.default.copyItem(at: photo, to: outside)
        try FileManager.default.createSymbolicLink(at: harness.drop.appendingPathComponent("link.jpg"), withDestinationURL: outside)
        try FileManager.default.copyItem(at: try DaemonHarness.photos(2)[1], to: harness.drop.appendingPathComponent("real.jpg"))
        try harness.wait("the real file") { harness.placedFiles.count == 1 }
        #expect(FileManager.default.fileExists(atPath: outside.path))
        #expect(harness.placedFiles.first?.hasSuffix("real.jpg") == true)
        #expect(try harness.run(["status"]).status == 0)
    }

    @Test func aDeletedAndRecreatedDropFolderIsWatchedAgain() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        try FileManager.default.removeItem(at: harness.drop)
        usleep(200_000)
        try FileManager.default.createDirectory(at: harness.drop, withIntermediateDirectories: true)
        usleep(200_000)
        try FileManager.default.copyItem(at: try DaemonHarness.photos(1)[0], to: harness.drop.appendingPathComponent("after.jpg"))
        try harness.wait("the file saved after re-creation") { harness.placedFiles.count == 1 }
    }

    @Test func filesWaitingAtStartAreProcessed() throws {
        let harness = try DaemonHarness()
        try FileManager.default.createDirectory(at: harness.drop.appendingPathComponent("bob"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try DaemonHarness.photos(1)[0], to: harness.drop.appendingPathComponent("bob/waiting.jpg"))
        try harness.startDaemon()
        try harness.wait("the waiting file") { harness.placedFiles.count == 1 }
        #expect(harness.placedFiles.first?.hasPrefix("bob/") == true)
    }

    @Test func anImageOverThePixelLimitIsRefusedBeforeDecoding() throws {
        let harness = try DaemonHarness()
        let config = harness.home.appendingPathComponent(".config/winnow/config.toml")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[analysis]\nmax_pixels = 1000000\n".write(to: config, atomically: true, encoding: .utf8)
        try harness.startDaemon()
        // 1184×1600, 1.9 MP: over the configured limit.
        let big = DaemonHarness.faceImages.appendingPathComponent("deepface__tests_unit_dataset_img1.jpg")
        try FileManager.default.copyItem(at: big, to: harness.drop.appendingPathComponent("bomb.jpg"))
        try harness.wait("the refused file") { harness.placedFiles.count == 1 }
        let listed = try decodeJSON([ListedFile].self, try harness.run(["ls", "--json"]).stdout)
        let row = try #require(listed.first)
        #expect(row.verdict == "unreadable")
        #expect(row.reason?.contains("pixel limit") == true)
    }

    @Test func aSecondDaemonRefusesToStart() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let second = try harness.run(["daemon"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another winnow daemon is running"))
    }
}
