import ArgumentParser
import WinnowCore
import WinnowDaemon

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Watch the drop folders and process every image that lands (runs in the foreground).",
        discussion: """
        Logs one line per file to stderr (journald priorities when run by systemd). Shows a desktop \
        notification per burst of saved images; see [notify] in config/winnow.toml. Stops on SIGTERM \
        or Ctrl-C after finishing the current file.
        """
    )

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let settings: WinnowConfig
        do { settings = try config.load() } catch let error as CLIError {
            // Under systemd nobody reads stderr: say it on the desktop too (once per distinct error).
            ConfigErrorNotice.post(error.description)
            throw error
        }
        ConfigErrorNotice.clear()
        do {
            try await Daemon.run(config: settings)
        } catch let error as DaemonError {
            throw CLIError(error.description)
        }
    }
}
