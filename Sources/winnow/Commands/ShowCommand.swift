import ArgumentParser
import Foundation
import WinnowCore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Everything winnow measured about one file (by path or id)."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "A file's path (in the library or where it was saved) or its id.", completion: .file())
    var file: String
    @Flag(help: "Print JSON.") var json = false

    struct Details: Encodable {
        var file: FileSummary
        var facts: ImageFacts?
    }

    func run() throws {
        let settings = try config.load()
        guard let row = try Journal(database: State.open(settings)).find(file) else {
            throw CLIError("winnow has no record of \(file)")
        }
        let details = Details(file: FileSummary(row), facts: row.imageFacts)
        if json { return try Output.json(details) }
        print("file:     \(row.currentPath)")
        print("saved as: \(row.sourcePath)")
        print("subject:  \(row.subject)")
        print("verdict:  \(Output.verdict(row.effectiveVerdict))\(row.reason.map { " — \($0)" } ?? "")")
        if let user = row.userVerdict { print("decided:  by you (\(user.rawValue))") }
        if let facts = row.imageFacts {
            print("size:     \(facts.width)×\(facts.height), \(facts.format), \(facts.byteCount) bytes")
            print("sha256:   \(facts.sha256)")
            if let q = facts.quality {
                print("detail:   \(q.detailPixels.map { "≈ \($0) px of \(facts.longSide) px" } ?? "n/a"), sharpness \(String(format: "%.3f", q.sharpness))")
            }
            if let f = facts.faces {
                print("faces:    \(f.count)\(f.yawBin.map { ", \($0.rawValue)" } ?? "")\(f.pitchBin.map { " \($0.rawValue)" } ?? "")")
                if let yaw = f.yaw, let pitch = f.pitch, let roll = f.roll {
                    print("pose:     yaw \(Int(yaw.rounded()))°, pitch \(Int(pitch.rounded()))°, roll \(Int(roll.rounded()))°")
                }
            }
        }
    }
}
