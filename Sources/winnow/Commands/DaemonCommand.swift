import ArgumentParser
import WinnowCore
import WinnowDaemon

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Watch the drop folders and process every image that lands (runs in the foreground)."
    )

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let settings = try config.load()
        do {
            try await Daemon.run(config: settings)
        } catch let error as DaemonError {
            throw CLIError(error.description)
        }
    }
}
