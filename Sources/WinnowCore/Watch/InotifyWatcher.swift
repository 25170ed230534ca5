import CInotifyTools
import Foundation

/// What the watcher saw.
public enum WatchEvent: Sendable, Equatable {
    /// A file under a drop folder is complete (closed after writing, or renamed into place).
    case fileCompleted(DropFile)
    /// A folder appeared (or reappeared) or events were lost: everything under it needs a look.
    case rescan(URL, DropFolder)
}

/// Watches drop folders with libinotifytools on one dedicated thread.
///
/// libinotifytools keeps process-global state and a static event buffer, so only one
/// watcher may run per process and it never leaves its thread.
public final class InotifyWatcher: @unchecked Sendable {
    public let dropFolders: [DropFolder]
    private let fileEvents = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)
    private let folderOptions = UInt32(IN_DONT_FOLLOW | IN_ONLYDIR)
    private let parentEvents = UInt32(IN_CREATE | IN_MOVED_TO)
    private let watchesInPlace = DispatchSemaphore(value: 0)

    public init(dropFolders: [DropFolder]) {
        self.dropFolders = dropFolders
    }

    /// Starts the thread and returns once every drop folder is watched; events arrive on the stream.
    public func start() -> AsyncStream<WatchEvent> {
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream()
        let thread = Thread { [self] in self.run(continuation) }
        thread.name = "winnow-inotify"
        thread.start()
        watchesInPlace.wait()
        return stream
    }

    private func run(_ continuation: AsyncStream<WatchEvent>.Continuation) {
        guard inotifytools_initialize() != 0 else {
            watchesInPlace.signal()
            continuation.finish()
            return
        }
        for drop in dropFolders {
            try? FileManager.default.createDirectory(at: drop.path, withIntermediateDirectories: true)
            watchTree(drop.path.path)
            // The parent tells us when a deleted drop folder comes back.
            inotifytools_watch_file(drop.path.deletingLastPathComponent().path, Int32(parentEvents | folderOptions))
        }
        watchesInPlace.signal()
        while true {
            guard let event = inotifytools_next_event(-1) else {
                if inotifytools_error() == EINTR { continue }
                break
            }
            handle(event, continuation)
        }
        continuation.finish()
    }

    private func handle(_ event: UnsafeMutablePointer<inotify_event>, _ continuation: AsyncStream<WatchEvent>.Continuation) {
        let mask = event.pointee.mask
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            for drop in dropFolders { continuation.yield(.rescan(drop.path, drop)) }
            return
        }
        guard let folderName = inotifytools_filename_from_wd(event.pointee.wd) else { return }
        let folder = normalized(String(cString: folderName))
        let name = event.pointee.len > 0
            ? String(cString: UnsafeRawPointer(event).advanced(by: MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self))
            : ""
        let path = name.isEmpty ? folder : folder + "/" + name

        if let drop = dropFolders.first(where: { $0.path.path == path }), mask & UInt32(IN_ISDIR) != 0,
           mask & parentEvents != 0 {
            // A drop folder was re-created or moved back.
            watchTree(path)
            continuation.yield(.rescan(drop.path, drop))
            return
        }
        guard let drop = dropFolder(containing: path) else { return }
        if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            inotifytools_remove_watch_by_wd(event.pointee.wd)
            return
        }
        if mask & UInt32(IN_ISDIR) != 0 {
            if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.hasPrefix(".") {
                // Watch first, then scan: a file written in between is seen by one or the other.
                watchTree(path)
                continuation.yield(.rescan(URL(fileURLWithPath: path), drop))
            }
            return
        }
        if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0, SettleRules.counts(name), DropScanner.isRegularFile(path) {
            continuation.yield(.fileCompleted(DropFile(path: URL(fileURLWithPath: path), dropFolder: drop)))
        }
    }

    private func dropFolder(containing path: String) -> DropFolder? {
        dropFolders.first { path == $0.path.path || path.hasPrefix($0.path.path + "/") }
    }

    /// Watches `folder` and every real subfolder (symlinks are not followed).
    private func watchTree(_ folder: String) {
        inotifytools_watch_file(folder, Int32(fileEvents | folderOptions))
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { watchTree(path) }
        }
    }

    private func normalized(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
