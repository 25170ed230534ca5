import ArgumentParser
import WinnowCore

struct UseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "use",
        abstract: "Set the subject for files saved straight into the drop folder."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "Subject name, e.g. \"anne-hathaway\".") var subject: String

    func validate() throws {
        guard Subject.isValid(subject) else {
            throw ValidationError("\"\(subject)\" cannot be a folder name (no slashes, no leading dot)")
        }
    }

    func run() throws {
        let settings = try config.load()
        try State.open(settings).setSetting("current_subject", subject)
        print("Files saved straight into the drop folder now go to \"\(subject)\".")
    }
}
