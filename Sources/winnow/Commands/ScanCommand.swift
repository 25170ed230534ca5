import ArgumentParser
import Foundation
import WinnowCore

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Analyse every image under a folder as the daemon would, without moving or recording anything.",
        discussion: "Duplicates are judged among the scanned files. With --json: one JSON object per file (JSON Lines)."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "Folder (or file) to scan.", completion: .directory) var folder: String
    @Flag(help: "Print one JSON object per file.") var json = false
    @Flag(name: .customLong("no-faces"), help: "Skip face detection.") var noFaces = false
    @Option(help: "Files analysed at once.") var workers = 2
    @Option(help: ArgumentHelp("Write every compared candidate pair as JSON Lines (for tuning).", visibility: .hidden))
    var pairs: String?

    func run() throws {
        let settings = try config.load()
        let root = URL(fileURLWithPath: folder)
        let paths: [String]
        do { paths = try Scanner.files(under: root) } catch { throw CLIError("cannot scan \(folder): \(error.localizedDescription)") }
        let analyzer = ImageAnalyzer(settings: settings.analysis,
                                     stages: AnalysisStages.standard(config: settings, faces: !noFaces))
        let scanner = Scanner(analyzer: analyzer, judge: Judge(faces: settings.analysis.faces), workers: workers)
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        let (records, grouped) = scanner.scan(paths) { done, total in bar.update(done, total) }
        bar.finish()
        if let pairs {
            var lines = ""
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            for pair in grouped.pairs {
                struct Line: Encodable { var a: String; var b: String; var pair: DuplicateGrouping.ComparedPair }
                lines += String(decoding: try encoder.encode(Line(a: paths[pair.a], b: paths[pair.b], pair: pair)), as: UTF8.self) + "\n"
            }
            try lines.write(toFile: pairs, atomically: true, encoding: .utf8)
        }
        if json {
            for record in records { try Output.json(record) }
            return
        }
        var counts: [String: Int] = [:]
        for record in records {
            counts[record.verdict, default: 0] += 1
            guard record.verdict != VerdictKind.kept.rawValue else { continue }
            print("\(Output.pad(record.verdict, 15)) \(record.path)\(record.reason.map { " — \($0)" } ?? "")\(record.error.map { " — \($0)" } ?? "")")
        }
        print(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}

/// A one-line progress bar on stderr, redrawn at most every 0.1 s; silent when not on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var last = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        guard done == total || Date().timeIntervalSince(last) > 0.1 else { return }
        last = Date()
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
