import ArgumentParser
import Foundation
import WinnowCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the files winnow has seen, filtered by subject and verdict."
    )

    @OptionGroup var config: ConfigOptions
    @Option(help: "Only this subject.") var subject: String?
    @Option(help: "Only this verdict.")
    var verdict: VerdictKind?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let settings = try config.load()
        let rows = try Journal(database: State.open(settings)).list(subject: subject, verdict: verdict)
        let summaries = rows.map(FileSummary.init)
        if json { return try Output.json(summaries) }
        for row in summaries {
            let id = Output.pad(String(row.id), 5)
            let verdict = Output.pad(row.verdict ?? "pending", 14)
            let verdictText = Output.isTerminal ? Output.verdict(VerdictKind(rawValue: row.verdict ?? "")) + String(repeating: " ", count: max(0, 14 - (row.verdict ?? "pending").count)) : verdict
            print("\(id) \(verdictText) \(Output.pad(row.subject, 12)) \(Output.fit(row.path, 46))")
        }
    }
}

extension VerdictKind: ExpressibleByArgument {}
