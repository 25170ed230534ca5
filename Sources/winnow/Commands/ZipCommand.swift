import ArgumentParser
import Foundation
import WinnowCore

struct ZipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zip",
        abstract: "Zip a subject's trainer-ready folder (relative paths), ready to upload."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The subject.") var subject: String
    @Option(name: .shortAndLong, help: "The zip to write (default: ./<subject>-dataset.zip).", completion: .file(extensions: ["zip"]))
    var output: String?
    @Flag(help: "Replace the zip if it exists.") var force = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let dataset = try SubjectDataset(config: config, subject: subject)
        try dataset.sync(subject)
        let root = dataset.keeper.layout(subject: subject).root
        guard !DatasetZip.entries(of: root).isEmpty else { throw CLIError("\(subject) has no dataset yet: no kept images") }
        let file = URL(fileURLWithPath: output ?? "\(subject)-dataset.zip").standardizedFileURL
        if FileManager.default.fileExists(atPath: file.path) && !force {
            throw CLIError("\(file.path) exists (use --force to replace it)")
        }
        let showProgress = Output.isTerminal && !json
        let summary: DatasetZip.Summary
        do {
            summary = try DatasetZip.write(root: root, to: file) { done, total in
                guard showProgress else { return }
                let width = 30, filled = width * done / max(total, 1)
                // Straight to the file descriptor: print() buffers, and a progress bar must show now.
                let bar = "\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)"
                FileHandle.standardOutput.write(Data((bar + (done == total ? "\n" : "")).utf8))
            }
        } catch let error as CLIError { throw error } catch {
            throw CLIError("cannot write \(file.path): \(error)")
        }
        if json { return try Output.json(summary) }
        let megabytes = String(format: "%.1f", Double(summary.bytes) / 1_048_576)
        let reg = summary.regImages > 0 ? ", \(summary.regImages) regularization images" : ""
        print("\(summary.file): \(summary.images) images, \(summary.captions) captions\(reg), \(megabytes) MB")
    }
}
