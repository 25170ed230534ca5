import ArgumentParser
import Foundation
import WinnowCore

/// Shared by `keep` and `reject`.
private func record(_ verdict: VerdictKind, file: String, config: ConfigOptions) throws {
    let settings = try config.load()
    let database = try State.open(settings)
    let decisions = UserDecisions(database: database, config: settings)
    do {
        let row = try LibraryLock(stateDirectory: settings.stateDirectory).withLock {
            let row = try decisions.decide(file, verdict)
            // The daemon's dataset keeper lives in another process: bring the trainer's folder up to date here.
            _ = try DatasetKeeper(config: settings, database: database).sync(subject: row.subject, changed: row)
            return row
        }
        print("\(verdict == .kept ? "kept" : "rejected"): \(row.currentPath)")
    } catch let error as UserDecisions.DecisionError {
        throw CLIError(error.description)
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
        let settings = try config.load()
        let database = try State.open(settings)
        let decisions = UserDecisions(database: database, config: settings)
        do {
            let changed = try LibraryLock(stateDirectory: settings.stateDirectory).withLock {
                let changed = try decisions.notDuplicate(first, second)
                for row in changed { _ = try DatasetKeeper(config: settings, database: database).sync(subject: row.subject, changed: row) }
                return changed
            }
            print("recorded: not duplicates")
            for row in changed { print("\(row.verdict?.rawValue ?? "?"): \(row.currentPath)") }
        } catch let error as UserDecisions.DecisionError {
            throw CLIError(error.description)
        }
    }
}
