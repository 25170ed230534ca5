import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The daemon holds an exclusive flock on `daemon.lock` while it runs: a second daemon refuses to
/// start, and `winnow status` can tell whether one is alive without trusting a stale pid file.
public final class DaemonLock {
    private let fd: Int32
    public let file: URL

    /// Takes the lock, or returns nil when another daemon holds it.
    public init?(stateDirectory: URL) throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        file = stateDirectory.appendingPathComponent("daemon.lock")
        fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MoveError(description: "cannot open \(file.path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }

    /// The pid of the running daemon, or nil when none holds the lock.
    public static func runningDaemon(stateDirectory: URL) -> Int32? {
        let path = stateDirectory.appendingPathComponent("daemon.lock").path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
