import Foundation
import Testing

/// The CLI as a user runs it: exit codes, errors that say what to fix, and working without a daemon.
@Suite struct CommandLineTests {
    @Test func statusWorksWhenTheDaemonIsDown() throws {
        let harness = try DaemonHarness()
        let result = try harness.run(["status", "--json"])
        #expect(result.status == 0)
        struct Status: Decodable {
            struct Daemon: Decodable { var running: Bool }
            var daemon: Daemon
            var queue: Int
            var currentSubject: String
        }
        let status = try decodeJSON(Status.self, result.stdout)
        #expect(!status.daemon.running)
        #expect(status.currentSubject == "unsorted")
    }

    @Test func useChangesTheSubjectForLooseFiles() throws {
        let harness = try DaemonHarness()
        #expect(try harness.run(["use", "anne-hathaway"]).status == 0)
        #expect(try harness.run(["status", "--json"]).stdout.contains("\"current_subject\":\"anne-hathaway\""))
        #expect(try harness.run(["use", "../etc"]).status == 64)
    }

    @Test func aBadConfigIsReportedWithKeyAndLineAndNoDaemonStarts() throws {
        let harness = try DaemonHarness()
        let config = harness.home.appendingPathComponent(".config/winnow/config.toml")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "library = \"~/x\"\n[[drop]]\npath = \"~/d\"\nsubjekt = \"anne\"\n".write(to: config, atomically: true, encoding: .utf8)

        let check = try harness.run(["config", "check"])
        #expect(check.status == 1)
        #expect(check.stderr.contains("line 4") && check.stderr.contains("drop[0].subjekt"))
        let daemon = try harness.run(["daemon"])
        #expect(daemon.status == 1)
        #expect(daemon.stderr.contains("subjekt"))
        #expect(!FileManager.default.fileExists(atPath: harness.home.appendingPathComponent(".local/state/winnow/daemon.lock").path))
    }

    /// The CNN face model lives in the user's data folder (set-up fetches it there): `config check` says whether
    /// the face stage has it, and names the file when it does not.
    @Test func configCheckSaysWhichFaceDetectorsRun() throws {
        let harness = try DaemonHarness()
        let missing = try harness.run(["config", "check"])
        #expect(missing.status == 0)
        #expect(missing.stdout.contains("faces:   HOG + profile cascade only: CNN face model not found at "
            + harness.home.appendingPathComponent(".local/share/winnow/models/mmod_human_face_detector.dat").path))
        // This machine's own data folder, where scripts/test's set-up put the model.
        let environment = ProcessInfo.processInfo.environment
        harness.environment["XDG_DATA_HOME"] = environment["XDG_DATA_HOME"] ?? (environment["HOME"] ?? "") + "/.local/share"
        let found = try harness.run(["config", "check"])
        #expect(found.stdout.contains("faces:   HOG + profile cascade + CNN fallback"), "\(found.stdout)")
    }

    @Test func usageErrorsExitWith64() throws {
        let harness = try DaemonHarness()
        #expect(try harness.run(["ls", "--verdict", "bogus"]).status == 64)
        #expect(try harness.run(["no-such-command"]).status == 64)
        #expect(try harness.run(["--version"]).stdout.hasPrefix("0."))
    }

    @Test func rejectAndKeepMoveTheFileAndTheDatasetFollows() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let names = try harness.saveImages(DaemonHarness.faceImageNames(2), subject: "anne")
        try harness.wait("both photos placed") { harness.placedFiles.count == 2 }
        #expect(try harness.stopDaemon() == 0)
        let kept = try #require(harness.placedFiles.first { $0.contains("/kept/") && $0.hasSuffix(names[0]) })
        let path = harness.library.appendingPathComponent(kept).path

        let reject = try harness.run(["reject", path])
        #expect(reject.status == 0, "\(reject.stderr)")
        #expect(harness.placedFiles.contains("anne/rejects/rejected/\(names[0])"))
        #expect(!harness.files(under: harness.library.appendingPathComponent("anne/dataset")).contains { $0.hasSuffix(names[0]) })

        let keep = try harness.run(["keep", harness.library.appendingPathComponent("anne/rejects/rejected/\(names[0])").path])
        #expect(keep.status == 0, "\(keep.stderr)")
        #expect(harness.placedFiles.contains { $0.contains("/kept/") && $0.hasSuffix(names[0]) })
        #expect(harness.files(under: harness.library.appendingPathComponent("anne/dataset")).contains { $0.hasSuffix(names[0]) })

        let unknown = try harness.run(["keep", "/nowhere/x.jpg"])
        #expect(unknown.status == 1)
        #expect(harness.placedFiles.count == 2)
    }

    @Test func showNamesAnUnknownFileClearly() throws {
        let harness = try DaemonHarness()
        let result = try harness.run(["show", "/nowhere/x.jpg"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no record of /nowhere/x.jpg"))
    }

    @Test func scanPrintsOneJSONObjectPerFileAndMovesNothing() throws {
        let harness = try DaemonHarness()
        let folder = harness.home.appendingPathComponent("scan", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let photos = try DaemonHarness.photos(2)
        try FileManager.default.copyItem(at: photos[0], to: folder.appendingPathComponent("a.jpg"))
        try FileManager.default.copyItem(at: photos[0], to: folder.appendingPathComponent("b.jpg"))
        try FileManager.default.copyItem(at: photos[1], to: folder.appendingPathComponent("c.jpg"))
        try Data("<html>".utf8).write(to: folder.appendingPathComponent("d.jpg"))

        let result = try harness.run(["scan", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let byName = Dictionary(uniqueKeysWithValues: records.map { (URL(fileURLWithPath: $0["path"] as! String).lastPathComponent, $0) })
        for key in ["sha256", "width", "height", "verdict", "exact_duplicate_of", "near_duplicate_of", "cluster", "mirror_of",
                    "blurry", "upscaled", "detail_px", "error", "faces", "face_box", "yaw", "pitch", "roll", "yaw_bin",
                    "pitch_bin", "expression"] {
            #expect(byName["a.jpg"]?.keys.contains(key) == true, "missing \(key)")
        }
        #expect(byName["b.jpg"]?["verdict"] as? String == "duplicate")
        #expect((byName["b.jpg"]?["exact_duplicate_of"] as? String)?.hasSuffix("/a.jpg") == true)
        #expect(byName["a.jpg"]?["faces"] as? Int == 1)
        #expect(byName["d.jpg"]?["verdict"] as? String == "not-image")
        #expect((byName["d.jpg"]?["error"] as? String)?.isEmpty == false)
        // Nothing moved, no state written.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 4)
        #expect(!FileManager.default.fileExists(atPath: harness.databaseFile.path))
    }
}
