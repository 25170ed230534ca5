import Foundation

/// A finished file found in a drop folder, with the subject it belongs to.
public struct DropFile: Sendable, Equatable {
    public var path: URL
    public var dropFolder: DropFolder

    public init(path: URL, dropFolder: DropFolder) {
        self.path = path
        self.dropFolder = dropFolder
    }

    /// `<drop>/<subject>/…` names its subject; a loose file belongs to `current`.
    public func subject(current: String) -> String {
        switch dropFolder.mode {
        case .fixedSubject(let subject):
            return subject
        case .subfolderPerSubject:
            let root = dropFolder.path.path
            let relative = path.path.dropFirst(root.count).split(separator: "/")
            if relative.count >= 2, Subject.isValid(String(relative[0])) { return String(relative[0]) }
            return current
        }
    }
}

/// Finds finished files under a folder, never following symlinks and skipping
/// anything that is not a regular file (FIFOs, sockets and devices could block a reader).
public enum DropScanner {
    public static func files(under folder: URL, dropFolder: DropFolder) -> [DropFile] {
        var found: [DropFile] = []
        walk(folder.path) { found.append(DropFile(path: URL(fileURLWithPath: $0), dropFolder: dropFolder)) }
        return found.sorted { $0.path.path < $1.path.path }
    }

    /// Whether `path` is a regular file right now (lstat: a symlink is not).
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// True while some process has `path` open for writing (a `cp` into a folder just created, say): a
    /// read lease is refused then. Such a file is left to its close-write event, which the watch on its
    /// folder (always set before a folder is scanned) delivers once it is complete, so it is never judged
    /// half-written. Where no lease can be taken (another owner, a file system without leases) the file
    /// is taken as finished, as before.
    static func isOpenForWriting(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // F_SETLEASE (Linux-specific: F_LINUX_SPECIFIC_BASE + 0) with F_RDLCK; EAGAIN means a writer has it open.
        let setLease: Int32 = 1024
        guard fcntl(fd, setLease, Int32(F_RDLCK)) == 0 else { return errno == EAGAIN }
        _ = fcntl(fd, setLease, Int32(F_UNLCK))
        return false
    }

    private static func walk(_ folder: String, _ visit: (String) -> Void) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(path, visit)
            case S_IFREG: if SettleRules.counts(name) && !isOpenForWriting(path) { visit(path) }
            default: continue
            }
        }
    }
}
