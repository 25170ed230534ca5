import ArgumentParser
import Foundation
import WinnowCore

struct SheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet",
        abstract: "Draw one PNG of a subject: kept images by face angle, empty angles, rejects with their reason.",
        discussion: """
        A row per face-angle bin (profile-left … profile-right, each level, up and down) shows up to \
        \(ContactSheet.maxPerRow) thumbnails of the kept images; an empty row is an angle still to find. \
        Rejected images follow, one row per reason, with the reason written on each thumbnail.
        """
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The subject (its folder name in the library, e.g. anne-hathaway).")
    var subject: String
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("PNG to write (default: <subject>-sheet.png here).", valueName: "file.png"),
            completion: .file(extensions: ["png"]))
    var output: String?
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        var path: String
        var width: Int
        var height: Int
        var kept: Int
        var setAside: Int
        var anglesFilled: Int
    }

    func validate() throws {
        if let output, !output.lowercased().hasSuffix(".png") {
            throw ValidationError("--output must name a .png file")
        }
    }

    func run() throws {
        let settings = try config.load()
        let journal = Journal(database: try State.open(settings))
        let rows = try journal.list(subject: subject)
        guard rows.contains(where: { $0.state == .placed }) else {
            let known = Set(try journal.list().map(\.subject)).sorted()
            throw CLIError("no images of \"\(subject)\" yet" + (known.isEmpty ? "" : " (subjects: \(known.joined(separator: ", ")))"))
        }
        let missing = try JournalMissingAngles(journal: journal).missingAngles(subject: subject)
        let sheet = ContactSheet(subject: subject, records: rows, missing: missing)
        let file = URL(fileURLWithPath: output ?? "\(subject)-sheet.png").standardizedFileURL
        let size: (width: Int, height: Int)
        do { size = try SheetRenderer().render(sheet, to: file) } catch {
            throw CLIError("cannot write \(file.path): \(error)")
        }
        let report = Report(path: file.path, width: size.width, height: size.height, kept: sheet.keptCount,
                            setAside: sheet.rejectCount, anglesFilled: sheet.filledBins)
        if json { return try Output.json(report) }
        print("\(file.path)  (\(size.width)×\(size.height); \(report.kept) kept, \(report.setAside) set aside, "
              + "\(report.anglesFilled)/\(ContactSheet.angleBins.count) angles)")
    }
}
