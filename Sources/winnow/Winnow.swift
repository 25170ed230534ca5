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

        A session:
          winnow install-service        run the daemon at login (or: winnow daemon)
          winnow use anne-hathaway      files saved straight into the drop folder are hers
          ...save images from the browser...
          winnow status                 what happened, per subject
          winnow sheet anne-hathaway    one PNG: kept images by angle, gaps, rejects

        Commands that print data take --json. Colour only on a terminal (never with NO_COLOR).
        Exit codes: 0 done, 1 failed (stderr says why), 64 usage error.
        Shell completions: winnow --generate-completion-script bash|zsh|fish (see docs/cli.md).
        """,
        version: WinnowVersion.current,
        subcommands: [
            DaemonCommand.self, StatusCommand.self, ListCommand.self, ShowCommand.self, UseCommand.self,
            ConfigCommand.self, InstallServiceCommand.self, SheetCommand.self,
            DatasetCommand.self, CaptionCommand.self, ZipCommand.self, RegCommand.self,
            FacesCommand.self, CoverageCommand.self,
            ScanCommand.self, KeepCommand.self, RejectCommand.self, NotDuplicateCommand.self,
        ]
    )
}

/// Options every command that reads the configuration takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"),
            help: ArgumentHelp("Config file (default: $XDG_CONFIG_HOME/winnow/config.toml).", valueName: "file"),
            completion: .file(extensions: ["toml"]))
    var file: String?

    func load() throws -> WinnowConfig {
        // The default file may be absent (built-in defaults); a file the user named must exist.
        if let file, !FileManager.default.fileExists(atPath: file) {
            throw CLIError("config: no such file: \(file)")
        }
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
