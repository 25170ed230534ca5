import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serialises changes to the library between processes: the daemon holds it while it judges and
/// places one file, and `winnow keep / reject / not-duplicate` hold it while they move files and
/// re-sync the dataset, so the two never move the same file or rewrite the same dataset at once.
/// An flock on `library.lock` in the state folder: the kernel drops it when a holder dies.
public struct LibraryLock: Sendable {
    public let file: URL

    public init(stateDirectory: URL) {
        file = stateDirectory.appendingPathComponent("library.lock")
    }

    /// Runs `body` holding the lock, waiting for the other process to finish its file first.
    /// Not re-entrant: `body` must not take it again.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MoveError(description: "cannot open \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw MoveError(description: "cannot lock \(file.path): \(String(cString: strerror(errno)))") }
        }
        return try body()
    }
}
