import Foundation
import Testing

@Suite struct SystemdIntegrationTests {
    @Test func theShippedUnitIsWhatInstallServiceWritesAndSystemdAcceptsIt() throws {
        let harness = try DaemonHarness()
        let bin = harness.home.appendingPathComponent(".local/bin", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("winnow"), withDestinationURL: DaemonHarness.binary)

        let installed = try harness.run(["install-service", "--binary", "%h/.local/bin/winnow"])
        #expect(installed.status == 0)
        let unit = harness.home.appendingPathComponent(".config/systemd/user/winnow.service")
        let shipped = DaemonHarness.repoRoot.appendingPathComponent("systemd/winnow.service")
        #expect(try String(contentsOf: unit, encoding: .utf8) == String(contentsOf: shipped, encoding: .utf8))

        let runtime = harness.home.appendingPathComponent("runtime", isDirectory: true)
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        verify.arguments = ["--user", "verify", shipped.path]
        var env = harness.processEnvironment
        env["XDG_RUNTIME_DIR"] = runtime.path
        verify.environment = env
        let err = Pipe()
        verify.standardError = err
        verify.standardOutput = err
        try verify.run()
        let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        // systemd-analyze exits 0 on warnings; any output at all is a problem with the unit.
        #expect(verify.terminationStatus == 0)
        #expect(output.isEmpty, "\(output)")
    }

    @Test func theDaemonSpeaksTheSdNotifyProtocol() throws {
        let harness = try DaemonHarness()
        let socketPath = harness.home.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        harness.environment = ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000"]
        try harness.startDaemon()
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, messages.filter({ $0.contains("WATCHDOG=1") }).count < 3 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { messages.append(String(decoding: buffer.prefix(n), as: UTF8.self)) }
        }
        try harness.stopDaemon()
        while true {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            messages.append(String(decoding: buffer.prefix(n), as: UTF8.self))
        }
        #expect(messages.contains { $0.contains("READY=1") })
        #expect(messages.contains { $0.contains("STATUS=") })
        #expect(messages.filter { $0.contains("WATCHDOG=1") }.count >= 3)
        #expect(messages.last?.contains("STOPPING=1") == true)
    }
}
