import Foundation

/// Tells which angles of the coverage checklist a subject still lacks.
///
/// The coverage stage owns the real answer; the notifier only needs this much of it.
public protocol MissingAnglesSource: Sendable {
    /// Checklist angles with no kept image yet, in checklist order; nil when unknown
    /// (for instance when no kept image has face facts, so nothing can be said).
    func missingAngles(subject: String) throws -> [String]?
}

/// The coverage checklist (`Coverage`) over the subject's kept images in the journal.
public struct JournalMissingAngles: MissingAnglesSource {
    public let journal: Journal

    public init(journal: Journal) { self.journal = journal }

    public func missingAngles(subject: String) throws -> [String]? {
        let report = try Coverage.report(subject: subject, journal: journal)
        return report.keptImages == 0 ? nil : report.stillMissing
    }
}
