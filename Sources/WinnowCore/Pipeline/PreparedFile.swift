import Foundation

/// A drop file's hash and analysis, worked out ahead of its turn (see `Ingestor.prepare`).
public struct PreparedFile: Sendable {
    let path: String
    let size: Int64
    let mtime: timespec
    let sha256: String
    let analysis: Result<ImageFacts, any Error>

    /// True when the file at `path` is still the one that was analysed (same size and modification time).
    func describes(path: String, _ info: stat) -> Bool {
        path == self.path && Int64(info.st_size) == size
            && info.st_mtim.tv_sec == mtime.tv_sec && info.st_mtim.tv_nsec == mtime.tv_nsec
    }
}
