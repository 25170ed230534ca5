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

    @Test func usageErrorsExitWith64() throws {
        let harness = try DaemonHarness()
        #expect(try harness.run(["ls", "--verdict", "bogus"]).status == 64)
        #expect(try harness.run(["no-such-command"]).status == 64)
        #expect(try harness.run(["--version"]).stdout.hasPrefix("0."))
    }

    @Test func showNamesAnUnknownFileClearly() throws {
        let harness = try DaemonHarness()
        let result = try harness.run(["show", "/nowhere/x.jpg"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no record of /nowhere/x.jpg"))
    }
}
