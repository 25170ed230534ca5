import ArgumentParser
import Foundation
import WinnowCore

/// Runs one user decision the way `keep`, `reject` and `not-duplicate` share: holding the library lock
/// (the daemon may be placing a file), then bringing the changed subjects' datasets up to date here, since
/// the daemon's dataset keeper lives in another process. Returns the rows that changed.
private func applyDecision(config: ConfigOptions, _ decide: (UserDecisions) throws -> [FileRecord]) throws -> [FileRecord] {
    let settings = try config.load()
    let database = try State.open(settings)
    do {
        return try LibraryLock(stateDirectory: settings.stateDirectory).withLock {
            let changed = try decide(UserDecisions(database: database, config: settings))
            let keeper = DatasetKeeper(config: settings, database: database)
            for row in changed { _ = try keeper.sync(subject: row.subject, changed: row) }
            return changed
        }
    } catch let error as UserDecisions.DecisionError {
        throw CLIError(error.description)
    }
}

/// Shared by `keep` and `reject`.
private func record(_ verdict: VerdictKind, file: String, config: ConfigOptions) throws {
    for row in try applyDecision(config: config, { [try $0.decide(file, verdict)] }) {
        print("\(verdict == .kept ? "kept" : "rejected"): \(row.currentPath)")
    }
}

struct KeepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keep", abstract: "Keep a file whatever the analysis says (moves it to kept/).")
    @OptionGroup var config: ConfigOptions
    @Argument(help: "The file's path or id.", completion: .file()) var file: String
    func run() throws { try record(.kept, file: file, config: config) }
}

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Set a file aside for good (moves it to rejects/rejected/; nothing is deleted).")
    @OptionGroup var config: ConfigOptions
    @Argument(help: "The file's path or id.", completion: .file()) var file: String
    func run() throws { try record(.rejected, file: file, config: config) }
}

struct NotDuplicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "not-duplicate", abstract: "Two files are different pictures: never judge one a copy of the other.")
    @OptionGroup var config: ConfigOptions
    @Argument(help: "A file's path or id.", completion: .file()) var first: String
    @Argument(help: "The other file's path or id.", completion: .file()) var second: String
    func run() throws {
        let changed = try applyDecision(config: config) { try $0.notDuplicate(first, second) }
        print("recorded: not duplicates")
        for row in changed { print("\(row.verdict?.rawValue ?? "?"): \(row.currentPath)") }
    }
}
