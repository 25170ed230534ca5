import ArgumentParser
import Foundation
import WinnowCore

struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "The angle checklist per subject: kept images per angle, and what is still missing."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "Subject (default: every subject with images).") var subject: String?
    @Flag(help: "Print JSON.") var json = false

    struct Output_: Encodable {
        var subject: String
        var keptImages: Int
        var items: [Item]
        var bins: [String: Int]
        var stillMissing: [String]
        struct Item: Encodable { var key: String; var title: String; var bonus: Bool; var count: Int; var covered: Bool }
    }

    func run() throws {
        let settings = try config.load()
        let journal = Journal(database: try State.open(settings))
        let subjects: [String]
        if let subject {
            subjects = [subject]
        } else {
            subjects = Array(Set(try journal.list().map(\.subject))).sorted()
        }
        let reports = try subjects.map { try Coverage.report(subject: $0, journal: journal) }
        if json {
            let out = reports.map { report in
                Output_(subject: report.subject, keptImages: report.keptImages,
                        items: report.items.map { .init(key: $0.key, title: $0.title, bonus: $0.bonus, count: $0.count, covered: $0.covered) },
                        bins: report.bins, stillMissing: report.stillMissing)
            }
            return try subject == nil ? Output.json(out) : Output.json(out[0])
        }
        if reports.isEmpty { print("No images yet. Save some into the drop folder.") }
        for (index, report) in reports.enumerated() {
            if index > 0 { print("") }
            print("\(report.subject): \(report.keptImages) kept image(s) with a face")
            var bonusHeader = false
            for item in report.items {
                if item.bonus && !bonusHeader { print("  bonus:"); bonusHeader = true }
                let mark = item.covered ? "✔" : "✘"
                print("  \(mark) \(Output.pad(item.title, 24)) \(item.count)")
            }
            print(report.summaryLine)
        }
    }
}
