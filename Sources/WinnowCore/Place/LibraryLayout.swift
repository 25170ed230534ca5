import Foundation

/// Where a file lives in the library: kept images in their subject's folder, rejects aside by reason.
public struct LibraryLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func subjectFolder(_ subject: String) -> URL {
        root.appendingPathComponent(subject, isDirectory: true)
    }

    /// The folder for a file with this verdict (and, for kept files, this face-angle bin).
    public func folder(subject: String, verdict: VerdictKind, bin: String? = nil) -> URL {
        let base = subjectFolder(subject)
        if let reject = verdict.rejectFolder {
            return base.appendingPathComponent("rejects", isDirectory: true).appendingPathComponent(reject, isDirectory: true)
        }
        let kept = base.appendingPathComponent("kept", isDirectory: true)
        return bin.map { kept.appendingPathComponent($0, isDirectory: true) } ?? kept
    }
}
