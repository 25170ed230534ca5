import Foundation

/// A private session bus (`dbus-run-session`) with `notification_server.py` owning
/// `org.freedesktop.Notifications`; every Notify call it receives is recorded.
final class NotificationServer: @unchecked Sendable {
    /// One Notify call, as the server recorded it.
    struct Call: Decodable, Equatable {
        var id: UInt32
        var appName: String
        var replacesId: UInt32
        var summary: String
        var body: String
        var actions: [String]
        var urgency: Int?
        var desktopEntry: String?
    }

    let folder: URL
    let busAddress: String
    private let session: Process
    private let serverPID: pid_t

    /// `ownName: false` gives a session bus on which nobody serves notifications.
    init(folder: URL, ownName: Bool = true) throws {
        self.folder = folder
        let script = DaemonHarness.repoRoot.appendingPathComponent("Tests/EndToEndTests/Support/notification_server.py")
        let address = folder.appendingPathComponent("bus-address")
        let session = Process()
        self.session = session
        session.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        session.arguments = [script.path, "--private-bus",
                             "--record", folder.appendingPathComponent("notifications.jsonl").path, "--address", address.path]
            + (ownName ? [] : ["--no-server"])
        let log = folder.appendingPathComponent("notification-server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        session.standardOutput = try FileHandle(forWritingTo: log)
        session.standardError = try FileHandle(forWritingTo: log)
        try session.run()
        try DaemonHarness.wait("the notification server to own its name", timeout: 20) {
            FileManager.default.fileExists(atPath: address.path) || !session.isRunning
        }
        guard session.isRunning else {
            throw DaemonHarness.Timeout(description: "notification server died: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        busAddress = try String(contentsOf: address, encoding: .utf8)
        serverPID = pid_t(try String(contentsOf: address.appendingPathExtension("pid"), encoding: .utf8)) ?? 0
    }

    /// The Notify calls so far, in order.
    func calls() throws -> [Call] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("notifications.jsonl"), encoding: .utf8)) ?? ""
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try text.split(separator: "\n").map { try decoder.decode(Call.self, from: Data($0.utf8)) }
    }

    /// Emits ActionInvoked(id, key) as if the user clicked the bubble.
    func invokeAction(id: UInt32, key: String = "default") throws {
        let send = Process()
        send.executableURL = URL(fileURLWithPath: "/usr/bin/dbus-send")
        send.arguments = ["--bus=\(busAddress)", "--print-reply", "--dest=org.freedesktop.Notifications",
                          "/org/freedesktop/Notifications", "org.winnow.TestServer.InvokeAction",
                          "uint32:\(id)", "string:\(key)"]
        send.standardOutput = FileHandle.nullDevice
        try send.run()
        send.waitUntilExit()
        guard send.terminationStatus == 0 else { throw DaemonHarness.Timeout(description: "dbus-send failed: \(send.terminationStatus)") }
    }

    /// Stops the server; the private bus goes with it.
    func stop() {
        if serverPID > 0 { kill(serverPID, SIGTERM) }
        try? DaemonHarness.wait("the private bus to close", timeout: 10) { !self.session.isRunning }
        if session.isRunning { session.terminate() }
    }
}
