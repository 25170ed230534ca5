import Foundation

/// Moves an already placed file to the folder its (new) verdict calls for, and records it.
/// Used when a better copy takes a kept place and when the user decides.
public struct Relocation: Sendable {
    public let layout: LibraryLayout
    public let journal: Journal

    public init(layout: LibraryLayout, journal: Journal) {
        self.layout = layout
        self.journal = journal
    }

    /// Moves `row`'s file to where `row.effectiveVerdict` belongs (never overwriting), then saves the row.
    public func apply(_ row: inout FileRecord) throws {
        let kind = row.effectiveVerdict ?? .kept
        let bin = kind == .kept ? LibraryBins.folderName(for: row.imageFacts) : nil
        let folder = layout.folder(subject: row.subject, verdict: kind, bin: bin)
        let current = URL(fileURLWithPath: row.currentPath)
        if current.deletingLastPathComponent().standardizedFileURL.path != folder.standardizedFileURL.path,
           FileManager.default.fileExists(atPath: current.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let destination = FileMover.freeDestination(for: current.lastPathComponent, in: folder)
            try FileMover.move(current, to: destination)
            row.libraryPath = destination.path
        }
        try journal.save(row)
    }
}
