import Foundation
import Testing

/// The CLI as a user runs it: exit codes, errors that say what to fix, and working without a daemon.
@Suite struct CommandLineTests {
    @Test func statusWorksWhenTheDaemonIsDown() throws {
        let harness = try DaemonHarness()
        let result = harness.runCLI(["status", "--json"])
        #expect(result.status == 0)
        struct Status: Decodable {
            struct Daemon: Decodable { var running: Bool }
            var daemon: Daemon
            var queue: Int
            var currentSubject: String
        }
        let status = try decodeJSON(Status.self, result.output)
        #expect(!status.daemon.running)
        #expect(status.currentSubject == "unsorted")
    }

    @Test func useChangesTheSubjectForLooseFiles() throws {
        let harness = try DaemonHarness()
        #expect(harness.runCLI(["use", "anne-hathaway"]).status == 0)
        #expect(harness.runCLI(["status", "--json"]).output.contains("\"current_subject\":\"anne-hathaway\""))
        #expect(harness.runCLI(["use", "../etc"]).status == 64)
    }

    @Test func aBadConfigIsReportedWithKeyAndLineAndNoDaemonStarts() throws {
        let harness = try DaemonHarness()
        let config = harness.home.appendingPathComponent(".config/winnow/config.toml")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "library = \"~/x\"\n[[drop]]\npath = \"~/d\"\nsubjekt = \"anne\"\n".write(to: config, atomically: true, encoding: .utf8)

        let check = harness.runCLI(["config", "check"])
        #expect(check.status == 1)
        #expect(check.error.contains("line 4") && check.error.contains("drop[0].subjekt"))
        let daemon = harness.runCLI(["daemon"])
        #expect(daemon.status == 1)
        #expect(daemon.error.contains("subjekt"))
        #expect(!FileManager.default.fileExists(atPath: harness.home.appendingPathComponent(".local/state/winnow/daemon.lock").path))
    }

    @Test func usageErrorsExitWith64() throws {
        let harness = try DaemonHarness()
        #expect(harness.runCLI(["ls", "--verdict", "bogus"]).status == 64)
        #expect(harness.runCLI(["no-such-command"]).status == 64)
        #expect(harness.runCLI(["--version"]).output.hasPrefix("0."))
    }

    @Test func showNamesAnUnknownFileClearly() throws {
        let harness = try DaemonHarness()
        let result = harness.runCLI(["show", "/nowhere/x.jpg"])
        #expect(result.status == 1)
        #expect(result.error.contains("no record of /nowhere/x.jpg"))
    }
}
