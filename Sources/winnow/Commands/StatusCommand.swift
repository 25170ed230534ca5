import ArgumentParser
import Foundation
import WinnowCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Is the daemon running, how much is waiting, and what happened per subject."
    )

    @OptionGroup var config: ConfigOptions
    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        struct Daemon: Encodable { var running: Bool; var pid: Int32? }
        struct SubjectLine: Encodable { var subject: String; var files: Int; var verdicts: [String: Int] }
        var daemon: Daemon
        var queue: Int
        var currentSubject: String
        var dropFolders: [String]
        var library: String
        var subjects: [SubjectLine]
    }

    func run() throws {
        let settings = try config.load()
        let database = try State.open(settings)
        let rows = try Journal(database: database).list()
        let waiting = settings.dropFolders.reduce(0) { $0 + DropScanner.files(under: $1.path, dropFolder: $1).count }
        let unfinished = rows.filter { $0.state == .journaled }.count
        let pid = DaemonLock.runningDaemon(stateDirectory: settings.stateDirectory)
        var bySubject: [String: [FileRecord]] = [:]
        for row in rows where row.state == .placed { bySubject[row.subject, default: []].append(row) }
        let report = Report(
            daemon: .init(running: pid != nil, pid: pid),
            queue: max(waiting, unfinished),
            currentSubject: try database.currentSubject(),
            dropFolders: settings.dropFolders.map(\.path.path),
            library: settings.library.path,
            subjects: bySubject.keys.sorted().map { subject in
                let files = bySubject[subject]!
                var counts: [String: Int] = [:]
                for row in files { counts[(row.effectiveVerdict ?? .kept).rawValue, default: 0] += 1 }
                return .init(subject: subject, files: files.count, verdicts: counts)
            }
        )
        if json { return try Output.json(report) }
        print("daemon:   \(pid.map { "running (pid \($0))" } ?? "not running")")
        print("queue:    \(report.queue) waiting")
        print("subject:  \(report.currentSubject) (for files saved straight into the drop folder)")
        print("drop:     \(report.dropFolders.joined(separator: ", "))")
        print("library:  \(report.library)")
        if report.subjects.isEmpty { print("\nNo images yet. Save some into the drop folder.") }
        for line in report.subjects {
            let counts = line.verdicts.sorted { $0.key < $1.key }.map { "\($0.value) \(Output.verdict(VerdictKind(rawValue: $0.key)))" }
            print("\n\(line.subject): \(line.files) files")
            print("  " + counts.joined(separator: ", "))
        }
    }
}
