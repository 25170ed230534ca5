import Foundation
import Testing

/// Exit codes, help and completions as a user (or a script) meets them, on the built binary.
@Suite struct CLIConventionTests {
    @Test func usageErrorsExitWith64AndFailuresWith1() throws {
        let harness = try DaemonHarness()
        defer { harness.cleanUp() }
        #expect(try harness.run(["no-such-command"]).status == 64)
        #expect(try harness.run(["ls", "--verdict", "nope"]).status == 64)
        #expect(try harness.run(["sheet"]).status == 64)
        let missing = try harness.run(["status", "--config", harness.home.appendingPathComponent("nope.toml").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such file"))
        #expect(try harness.run(["show", "12345"]).status == 1)
        #expect(try harness.run(["status"]).status == 0)
    }

    @Test func helpFitsEightyColumnsAndNamesEveryCommand() throws {
        let harness = try DaemonHarness()
        defer { harness.cleanUp() }
        let help = try harness.run(["--help"])
        #expect(help.status == 0)
        for command in ["daemon", "status", "ls", "show", "use", "config", "install-service", "sheet"] {
            #expect(help.stdout.contains("\n  \(command) "), "\(command) listed")
            let sub = try harness.run(["help", command])
            #expect(sub.status == 0)
            let wide = sub.stdout.split(separator: "\n").filter { $0.count > 80 && !$0.hasPrefix("USAGE:") }
            #expect(wide.isEmpty, "\(command): \(wide)")
        }
        #expect(help.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func completionScriptsAreGeneratedForEveryShell() throws {
        let harness = try DaemonHarness()
        defer { harness.cleanUp() }
        for shell in ["bash", "zsh", "fish"] {
            let script = try harness.run(["--generate-completion-script", shell])
            #expect(script.status == 0)
            #expect(script.stdout.contains("sheet"), "\(shell) completes the sheet command")
        }
    }
}
