import ArgumentParser
import Foundation
import WinnowCore

struct InstallServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-service",
        abstract: "Install the systemd user unit that runs `winnow daemon` at login."
    )

    @Option(help: "The winnow binary the unit runs (default: this one).", completion: .file())
    var binary: String?

    func run() throws {
        let executable = binary ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let folder = XDGPaths().configHome.appendingPathComponent("systemd/user", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let unit = folder.appendingPathComponent("winnow.service")
        try ServiceUnit.text(executable: executable).write(to: unit, atomically: true, encoding: .utf8)
        print("Wrote \(unit.path)")
        print("Start it now and at every login with:")
        print("  systemctl --user daemon-reload && systemctl --user enable --now winnow.service")
    }
}
