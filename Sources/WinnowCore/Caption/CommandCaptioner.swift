import Foundation

/// Runs a program with the image path as its last argument (never through a shell) and takes its
/// standard output as the caption. A non-zero exit, no output or the timeout is a failure.
public struct CommandCaptioner: Captioner {
    public let settings: CaptionSettings.CommandSettings

    public init(settings: CaptionSettings.CommandSettings) { self.settings = settings }

    public var identity: String { "command:" + settings.arguments.joined(separator: " ") }

    public func caption(_ request: CaptionRequest) async throws -> String {
        let arguments = settings.arguments
        let timeout = settings.timeout
        return try await withCheckedThrowingContinuation { continuation in
            // Process and pipes block: keep them off the cooperative pool.
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.run(arguments + [request.imagePath], timeout: timeout) })
            }
        }
    }

    static func run(_ arguments: [String], timeout: Double) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { throw CaptionerError("cannot start \(arguments[0]): \(error.localizedDescription)") }
        // Read while it runs, so a chatty program cannot fill the pipe and stall.
        let outData = ReadAll(output.fileHandleForReading), errData = ReadAll(errors.fileHandleForReading)
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // Its children go too: Foundation reports the end only once every holder of the child's pipes is gone.
            let family = [process.processIdentifier] + descendants(of: process.processIdentifier)
            for pid in family { kill(pid, SIGTERM) }
            if finished.wait(timeout: .now() + 2) == .timedOut { for pid in family { kill(pid, SIGKILL) } }
            throw CaptionerError("\(arguments[0]) timed out after \(Int(timeout)) s")
        }
        // A background child the program left behind may hold its output open: do not wait for it forever.
        guard let output = outData.wait(seconds: 5) else {
            throw CaptionerError("\(arguments[0]) left a process holding its output open")
        }
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let stderr = String(decoding: (errData.wait(seconds: 1) ?? Data()).prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw CaptionerError("\(arguments[0]) exited with \(process.terminationStatus)\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
        guard !text.isEmpty else { throw CaptionerError("\(arguments[0]) printed no caption") }
        return text
    }

    /// Every process below `root` (from /proc: the parent pid is the 4th field of /proc/PID/stat).
    static func descendants(of root: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(pid) }
        }
        var out: [pid_t] = [], queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] { out.append(child); queue.append(child) }
        }
        return out
    }

    /// An absolute path, or the first match on PATH (Process does not search PATH itself).
    static func executable(_ name: String) throws -> String {
        if name.contains("/") { return name }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw CaptionerError("\(name) is not on PATH")
    }

    /// Drains a pipe on its own thread.
    private final class ReadAll: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }
        /// Everything the pipe carried, or nil if it is still open after `seconds`.
        func wait(seconds: Double) -> Data? {
            guard done.wait(timeout: .now() + seconds) == .success else { return nil }
            done.signal()
            return data
        }
    }
}
