import Foundation

/// Runs the BUILT `winnow` binary against a private home in a temp folder, and waits for things
/// to happen with timeouts. Shared by the end-to-end tests.
///
/// The binary is the `winnow` built next to the test runner (`swift test` builds it), else
/// `.build/debug/winnow` of this checkout, or `$WINNOW_BINARY`.
final class DaemonHarness: @unchecked Sendable {
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// The repository root, found from this file's path.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["WINNOW_BINARY"] { return URL(fileURLWithPath: path) }
        // The test runner sits next to the products of the same build (debug or release).
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let sibling = runner.deletingLastPathComponent().appendingPathComponent("winnow")
        if FileManager.default.isExecutableFile(atPath: sibling.path) { return sibling }
        return repoRoot.appendingPathComponent(".build/debug/winnow")
    }

    /// The shared read-only test data (`../shared/data` next to the checkout).
    static let sharedData = repoRoot.appendingPathComponent("../shared/data").standardizedFileURL
    static let faceImages = sharedData.appendingPathComponent("faces/images")

    /// The temp folder that is HOME for the daemon; removed by `cleanUp()`.
    let home: URL
    let library: URL
    let drop: URL
    let configFile: URL
    /// Extra environment for every process started (e.g. `DBUS_SESSION_BUS_ADDRESS`).
    var environment: [String: String] = [:]
    /// Folder put first on PATH: tests drop fake commands (`xdg-open`) here.
    let fakeBin: URL
    private(set) var daemon: Process?
    private(set) var daemonLog: URL

    /// Creates the home and writes `config.toml` with the library, one drop folder and `extraConfig`.
    init(extraConfig: String = "") throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-e2e-\(UUID().uuidString)")
        library = home.appendingPathComponent("Pictures/winnow")
        drop = home.appendingPathComponent("Downloads/winnow")
        fakeBin = home.appendingPathComponent("bin")
        configFile = home.appendingPathComponent(".config/winnow/config.toml")
        daemonLog = home.appendingPathComponent("daemon.log")
        for folder in [library, drop, fakeBin, configFile.deletingLastPathComponent(),
                       home.appendingPathComponent(".local/state"), home.appendingPathComponent("run")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: home.appendingPathComponent("run").path)
        try """
        library = "\(library.path)"
        [[drop]]
        path = "\(drop.path)"
        # Tests about other stages keep every face, however small.
        [faces]
        min_face_side = 0
        \(extraConfig)
        """.write(to: configFile, atomically: true, encoding: .utf8)
    }

    /// The environment every winnow process gets: only the temp home, never the user's.
    var processEnvironment: [String: String] {
        var env = [
            "HOME": home.path,
            "XDG_CONFIG_HOME": home.appendingPathComponent(".config").path,
            "XDG_STATE_HOME": home.appendingPathComponent(".local/state").path,
            "XDG_RUNTIME_DIR": home.appendingPathComponent("run").path,
            "PATH": fakeBin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            // Unless a test says otherwise, there is no session bus.
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=\(home.path)/no-bus",
        ]
        env.merge(environment) { _, new in new }
        return env
    }

    /// The state database the daemon writes.
    var databaseFile: URL { home.appendingPathComponent(".local/state/winnow/winnow.sqlite") }

    /// Starts `winnow daemon` and waits until it watches the drop folder.
    func startDaemon(timeout: Double = 30) throws {
        _ = FileManager.default.createFile(atPath: daemonLog.path, contents: nil)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["daemon"]
        process.environment = processEnvironment
        let log = try FileHandle(forWritingTo: daemonLog)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        daemon = process
        try wait("the daemon to start watching", timeout: timeout) { self.log.contains("winnow daemon watching") }
    }

    /// Kills the daemon with SIGKILL, as a crash or the OOM killer would.
    func killDaemon() {
        guard let daemon, daemon.isRunning else { return }
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        self.daemon = nil
    }

    /// Stops the daemon with SIGTERM and returns its exit status.
    @discardableResult
    func stopDaemon(timeout: Double = 30) throws -> Int32 {
        guard let daemon else { return 0 }
        if daemon.isRunning { daemon.terminate() }
        try wait("the daemon to exit", timeout: timeout) { !daemon.isRunning }
        self.daemon = nil
        return daemon.terminationStatus
    }

    /// Everything the daemon logged so far (stdout and stderr).
    var log: String { (try? String(contentsOf: daemonLog, encoding: .utf8)) ?? "" }

    /// Runs `winnow <arguments>` with a pseudo-terminal as its stdout (util-linux `script`), as a
    /// person at a terminal would; stdout and stderr come back mixed.
    func runOnTerminal(_ arguments: [String], timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let quoted = ([Self.binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try run(["-qec", quoted.joined(separator: " "), "/dev/null"], executable: URL(fileURLWithPath: "/usr/bin/script"),
                       timeout: timeout)
    }

    /// Runs `winnow <arguments>` (or another `executable`) to completion.
    func run(_ arguments: [String], executable: URL = DaemonHarness.binary, timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = processEnvironment
        let out = home.appendingPathComponent("run-\(UUID().uuidString).out")
        let err = home.appendingPathComponent("run-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        try wait("winnow \(arguments.joined(separator: " ")) to finish", timeout: timeout) { !process.isRunning }
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// Copies face images (by sorted name, from `first`) into `<drop>/<subject>/`, `gap` seconds apart.
    /// Returns the copied file names.
    @discardableResult
    func saveImages(_ names: [String], subject: String, gap: Double = 0) throws -> [String] {
        let folder = drop.appendingPathComponent(subject)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, name) in names.enumerated() {
            if index > 0 && gap > 0 { Thread.sleep(forTimeInterval: gap) }
            try FileManager.default.copyItem(at: Self.faceImages.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return names
    }

    /// The first `count` photos labelled with one frontal or three-quarter face (mirrors excluded, so no two
    /// are the same picture): images winnow keeps.
    static func faceImageNames(_ count: Int, skipping: Int = 0) throws -> [String] {
        let labels = try String(contentsOf: faceImages.deletingLastPathComponent().appendingPathComponent("labels.csv"), encoding: .utf8)
        // file,yaw_deg,pitch_deg,roll_deg,yaw_bin,pitch_bin,faces_count,expression,person,width,height,… (no
        // commas before `note`). Photos of 400 px and more: the face detector's job is tested elsewhere.
        let all = labels.split(whereSeparator: \.isNewline).dropFirst().compactMap { line -> String? in
            let fields = line.split(separator: ",", maxSplits: 11, omittingEmptySubsequences: false)
            guard fields.count > 10, fields[6] == "1", ["frontal", "3q_left", "3q_right"].contains(fields[4]),
                  min(Int(fields[9]) ?? 0, Int(fields[10]) ?? 0) >= 400,
                  !fields[0].contains("__mirror") else { return nil }
            return String(fields[0].dropFirst("images/".count))
        }.sorted()
        return Array(all.dropFirst(skipping).prefix(count))
    }

    /// The first `count` face images, as files (mirrors excluded, so no two are the same picture).
    static func photos(_ count: Int) throws -> [URL] {
        let names = try faceImageNames(count)
        precondition(names.count == count, "test photos missing: expected \(count) in \(faceImages.path)")
        return names.map { faceImages.appendingPathComponent($0) }
    }

    /// Files (not folders) below `folder`, as paths relative to it.
    func files(under folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            found.append(String(url.path.dropFirst(folder.path.count + 1)))
        }
        return found.sorted()
    }

    /// The user's images in the library: everything but the trainer's `<subject>/dataset/` copies.
    var placedFiles: [String] {
        files(under: library).filter { $0.split(separator: "/").dropFirst().first != "dataset" }
    }

    /// Writes an executable shell script `name` into the fake bin folder (first on PATH).
    func fakeCommand(_ name: String, script: String) throws {
        let file = fakeBin.appendingPathComponent(name)
        try ("#!/bin/sh\n" + script + "\n").write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }

    /// Polls `condition` every 50 ms until it holds, or throws after `timeout` seconds.
    func wait(_ what: String, timeout: Double = 30, _ condition: () throws -> Bool) throws {
        do { try Self.wait(what, timeout: timeout, condition) } catch let error as Timeout {
            throw Timeout(description: "\(error.description); daemon log:\n\(log)")
        }
    }

    static func wait(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try condition() { return }
            if Date() > deadline { throw Timeout(description: "timed out after \(timeout) s waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit { cleanUp() }

    /// Stops anything still running and removes the temp home.
    func cleanUp() {
        if let daemon, daemon.isRunning {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: home)
    }
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
