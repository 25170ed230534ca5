import Foundation
import ZIPFoundation

/// Zips a dataset folder with paths relative to it (`dataset_config.toml`, `img/…`, `reg/…`), so it unpacks
/// into any folder and the relative `image_dir`s in `dataset_config.toml` still hold.
public enum DatasetZip {
    public struct Summary: Codable, Sendable, Equatable {
        public var file: String
        public var entries: [String]
        /// Training images (`img/`), their captions, and regularization images (`reg/`).
        public var images: Int
        public var captions: Int
        public var regImages: Int
        public var bytes: Int64
    }

    /// The files a zip of `root` holds, relative and sorted; hidden files (winnow's temporaries) stay out.
    public static func entries(of root: URL) -> [String] {
        var out: [String] = []
        func walk(_ relative: String) {
            let folder = relative.isEmpty ? root.path : root.path + "/" + relative
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() where !name.hasPrefix(".") {
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard stat(folder + "/" + name, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: walk(path)
                case S_IFREG: out.append(path)
                default: continue
                }
            }
        }
        walk("")
        return out
    }

    /// Writes the zip to a temporary name and renames it into place when complete; `progress(done, total)`.
    public static func write(root: URL, to file: URL, progress: (Int, Int) -> Void = { _, _ in }) throws -> Summary {
        let entries = entries(of: root)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        unlink(temporary.path)
        do {
            let archive = try Archive(url: temporary, accessMode: .create)
            for (index, entry) in entries.enumerated() {
                // JPEG/PNG/WebP are compressed already: storing them is as small and much faster.
                let text = entry.hasSuffix(".txt") || entry.hasSuffix(".toml")
                try archive.addEntry(with: entry, relativeTo: root, compressionMethod: text ? .deflate : .none)
                progress(index + 1, entries.count)
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, file.path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CaptionerError("cannot write \(file.path): \(message)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0
        let captions = entries.filter { $0.hasSuffix(".txt") }.count
        let images = entries.filter { $0.hasPrefix("img/") && !$0.hasSuffix(".txt") }.count
        let reg = entries.filter { $0.hasPrefix("reg/") && !$0.hasSuffix(".txt") }.count
        return Summary(file: file.path, entries: entries, images: images, captions: captions, regImages: reg, bytes: size)
    }
}
