import Foundation

/// Paths of the repository, the built binary and the shared test data, found from this file.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared/data` beside the clone (CI lays it there), or `WINNOW_TEST_DATA`.
    static let data = ProcessInfo.processInfo.environment["WINNOW_TEST_DATA"].map { URL(fileURLWithPath: $0, isDirectory: true) }
        ?? root.deletingLastPathComponent().appendingPathComponent("shared/data", isDirectory: true)
    static let faces = data.appendingPathComponent("faces/images", isDirectory: true)

    /// The binary `swift build` made (tests never build it themselves).
    static var binary: URL {
        for configuration in ["debug", "release"] {
            let url = root.appendingPathComponent(".build/\(configuration)/winnow")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/winnow")
    }

    /// A few real photos from the shared face set, sorted by name for determinism.
    static func photos(_ count: Int) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: faces.path)) ?? []
        precondition(names.count >= count, "test photos missing: expected \(count) in \(faces.path)")
        return names.filter { $0.hasSuffix(".jpg") && $0.hasPrefix("deepface") }.sorted().prefix(count)
            .map { faces.appendingPathComponent($0) }
    }
}

/// A throw-away home folder with the XDG layout, and the built `winnow` running inside it.
final class DaemonHarness {
    let home: URL
    private(set) var daemon: Process?
    private(set) var log = URL(fileURLWithPath: "/dev/null")
    var extraEnvironment: [String: String] = [:]

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(at: home)
    }

    var drop: URL { home.appendingPathComponent("Downloads/winnow", isDirectory: true) }
    var library: URL { home.appendingPathComponent("Pictures/winnow", isDirectory: true) }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            env[key] = nil
        }
        env["HOME"] = home.path
        env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=\(home.path)/no-bus"
        env.merge(extraEnvironment) { $1 }
        return env
    }

    /// Starts `winnow daemon` and waits until it has written its ready line.
    func start() throws {
        log = home.appendingPathComponent("daemon-\(UUID().uuidString.prefix(4)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = Repo.binary
        process.arguments = ["daemon"]
        process.environment = environment
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        daemon = process
        try wait("daemon to start") { self.logText.contains("winnow daemon watching") }
        // The watches are in place before the scan of waiting files; give that scan a moment.
        try wait("daemon to be ready") { self.runCLI(["status", "--json"]).output.contains("\"running\":true") }
    }

    func stop(signal: Int32 = SIGTERM) {
        guard let daemon, daemon.isRunning else { return }
        kill(daemon.processIdentifier, signal)
        daemon.waitUntilExit()
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Runs the CLI to completion.
    @discardableResult
    func runCLI(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = Repo.binary
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (-1, "", "\(error)") }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    /// Every regular file under `folder`, relative paths.
    func files(under folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            found.append(String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)))
        }
        return found.sorted()
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    func wait(_ what: String, timeout: TimeInterval = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            usleep(50_000)
        }
        throw HarnessError("timed out waiting for \(what); daemon log:\n\(logText)")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Decodes the CLI's JSON (snake_case keys).
func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: Data(text.utf8))
}

/// The fields of `winnow ls --json` the tests look at.
struct ListedFile: Decodable {
    var id: Int64
    var subject: String
    var path: String
    var sourcePath: String
    var state: String
    var verdict: String?
    var reason: String?
    var sha256: String?
}
