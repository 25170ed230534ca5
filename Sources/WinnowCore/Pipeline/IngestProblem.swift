import Foundation

/// Something went wrong that the user should hear about, beyond one file's verdict.
public struct IngestProblem: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// No space left (or quota exceeded) while placing files: they stay in the drop folder.
        case diskFull = "disk-full"
        /// The configuration could not be read.
        case configError = "config-error"
        /// Any other failure to process a file.
        case failed
    }

    public var kind: Kind
    public var subject: String?
    public var path: String?
    public var message: String

    public init(kind: Kind, subject: String? = nil, path: String? = nil, message: String) {
        self.kind = kind
        self.subject = subject
        self.path = path
        self.message = message
    }

    /// Names what `error` means for the user: a full disk is told apart from other failures.
    public static func classify(_ error: any Error, path: String?, subject: String? = nil) -> IngestProblem {
        let text = String(describing: error)
        var full = text.contains("No space left on device") || text.contains("Disk quota exceeded")
        if let posix = error as? POSIXError, posix.code == .ENOSPC || posix.code == .EDQUOT { full = true }
        if let cocoa = error as? CocoaError, cocoa.code == .fileWriteOutOfSpace { full = true }
        return IngestProblem(kind: full ? .diskFull : .failed, subject: subject, path: path, message: text)
    }
}
