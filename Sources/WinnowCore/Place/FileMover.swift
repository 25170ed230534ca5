import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct MoveError: Error, CustomStringConvertible {
    public var description: String
}

/// Moves files without ever overwriting or deleting one: atomic rename on one file system,
/// copy + fsync + link + unlink across file systems.
public enum FileMover {
    /// The first free name in `folder` for `name`: `x.jpg`, `x-1.jpg`, `x-2.jpg`, …
    public static func freeDestination(for name: String, in folder: URL) -> URL {
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        var candidate = folder.appendingPathComponent(name)
        var n = 1
        while FileManager.default.fileExists(atPath: candidate.path) || isSymlink(candidate.path) {
            candidate = folder.appendingPathComponent(ext.isEmpty ? "\(base)-\(n)" : "\(base)-\(n).\(ext)")
            n += 1
        }
        return candidate
    }

    /// Moves `source` to exactly `destination`, failing if it exists.
    public static func move(_ source: URL, to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        // link() refuses to replace an existing name, which rename() would silently do.
        if link(source.path, destination.path) == 0 {
            guard unlink(source.path) == 0 else {
                throw MoveError(description: "placed \(destination.path) but could not remove \(source.path): \(errnoText())")
            }
            try syncDirectory(destination.deletingLastPathComponent())
            return
        }
        let linkErrno = errno
        guard linkErrno == EXDEV || linkErrno == EPERM || linkErrno == ENOTSUP else {
            throw MoveError(description: "cannot move \(source.path) to \(destination.path): \(String(cString: strerror(linkErrno)))")
        }
        try copyAcrossFileSystems(source, to: destination)
    }

    private static func copyAcrossFileSystems(_ source: URL, to destination: URL) throws {
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".winnow-\(getpid())-\(UUID().uuidString.prefix(8)).tmp")
        do {
            try FileManager.default.copyItem(at: source, to: temporary)
            let fd = open(temporary.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            guard link(temporary.path, destination.path) == 0 else {
                throw MoveError(description: "cannot place \(destination.path): \(errnoText())")
            }
            unlink(temporary.path)
            try syncDirectory(destination.deletingLastPathComponent())
        } catch {
            unlink(temporary.path)
            throw error
        }
        // Only once the copy is durable does the original go.
        guard unlink(source.path) == 0 else {
            throw MoveError(description: "copied to \(destination.path) but could not remove \(source.path): \(errnoText())")
        }
    }

    static func syncDirectory(_ folder: URL) throws {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
