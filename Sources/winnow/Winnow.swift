import ArgumentParser
import Foundation
import WinnowCore

@main
struct Winnow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "winnow",
        abstract: "Sorts the images you save for a LoRA: duplicates, blur, upscales, face angles, captions.",
        discussion: """
        Run `winnow daemon` (or the systemd user unit) and save images into the drop folder \
        (by default <Downloads>/winnow/<subject>/). Everything else reads what the daemon recorded.
        """,
        version: WinnowVersion.current,
        subcommands: [
            DaemonCommand.self, StatusCommand.self, ListCommand.self, ShowCommand.self, UseCommand.self,
            ConfigCommand.self, InstallServiceCommand.self, ScanCommand.self,
            KeepCommand.self, RejectCommand.self, NotDuplicateCommand.self,
        ]
    )
}

/// Options every command that reads the configuration takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Config file (default: $XDG_CONFIG_HOME/winnow/config.toml).",
            completion: .file(extensions: ["toml"]))
    var file: String?

    func load() throws -> WinnowConfig {
        do {
            return try ConfigLoader().load(file: file.map { URL(fileURLWithPath: $0) })
        } catch let error as ConfigError {
            throw CLIError("config: \(error)")
        }
    }
}

/// A failure the user can act on: printed as one line, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum WinnowVersion {
    static let current = "0.1.0"
}
