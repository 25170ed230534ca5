import Foundation
import GRDB

extension Ingestor {
    /// Near-duplicate judgement against the subject's library: returns the new file's verdict and the
    /// kept copies it replaces (when it has more real detail). User decisions are never overridden.
    func nearDuplicateVerdict(for row: FileRecord, facts: ImageFacts, verdict: Verdict) throws -> (Verdict, [FileRecord]) {
        guard let quality = facts.quality, let look = quality.lookBytes else { return (verdict, []) }
        try nearDuplicates.loadIfNeeded()
        let (direct, mirrored) = nearDuplicates.candidates(for: quality, subject: row.subject)
        var keptCopies: [Int64: FileRecord] = [:]
        for id in direct where id != row.id {
            guard let other = try journal.row(id: id), other.state == .placed,
                  let otherLook = other.imageFacts?.quality?.lookBytes, otherLook.count == look.count else { continue }
            if let a = row.sha256, let b = other.sha256, try database.isNotDuplicate(a, b) { continue }
            guard nearDuplicates.policy.accepts(SecondLook.compare(look, otherLook)) else { continue }
            var kept = other
            if other.effectiveVerdict == .nearDuplicate || other.effectiveVerdict == .duplicate,
               let keptID = other.duplicateOf, let keptRow = try journal.row(id: keptID), keptRow.state == .placed {
                kept = keptRow
            }
            if let keptID = kept.id, kept.imageFacts != nil { keptCopies[keptID] = kept }
        }
        guard !keptCopies.isEmpty else {
            var verdict = verdict
            if let mirror = try mirrorOf(look, candidates: mirrored, excluding: row.id) {
                verdict.reason = [verdict.reason, "mirror of \(mirror.currentPath)"].compactMap { $0 }.joined(separator: "; ")
            }
            return (verdict, [])
        }
        // Incumbents first: on a tie the copy already kept stays.
        let incumbents = keptCopies.values.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        let members = incumbents.compactMap(\.imageFacts) + [facts]
        let best = KeepBest.choose(members)
        let userKept = incumbents.first { $0.userVerdict == .kept }
        if best == members.count - 1, userKept == nil {
            return (verdict, incumbents.filter { $0.userVerdict == nil })
        }
        let keeper = userKept ?? incumbents[min(best, incumbents.count - 1)]
        return (Verdict(.nearDuplicate, reason: "copy of \(keeper.currentPath)", duplicateOf: keeper.id), [])
    }

    private func mirrorOf(_ look: [UInt8], candidates: [Int64], excluding id: Int64?) throws -> FileRecord? {
        let mirroredLook = SecondLook.mirrored(look)
        for candidate in candidates where candidate != id {
            guard let other = try journal.row(id: candidate), let otherLook = other.imageFacts?.quality?.lookBytes,
                  otherLook.count == look.count else { continue }
            if nearDuplicates.policy.accepts(SecondLook.compare(mirroredLook, otherLook)) { return other }
        }
        return nil
    }

    /// A better copy (`keeper`) took the kept place: the old kept copy moves to rejects/near-duplicate and
    /// its group now points at the new one.
    func setAside(_ displaced: [FileRecord], for keeper: FileRecord) throws {
        let relocation = Relocation(layout: layout, journal: journal)
        for var old in displaced {
            old.verdict = .nearDuplicate
            old.reason = "copy of \(keeper.currentPath), which has more detail"
            old.duplicateOf = keeper.id
            try relocation.apply(&old)
            notify(old)
            let followers = try database.pool.read { db in
                try FileRecord.filter(Column("duplicateOf") == old.id && FileRecord.Columns.state == FileRecord.State.placed.rawValue).fetchAll(db)
            }
            for var follower in followers where follower.id != keeper.id {
                follower.duplicateOf = keeper.id
                if follower.verdict == .nearDuplicate { follower.reason = "copy of \(keeper.currentPath)" }
                try journal.save(follower)
                notify(follower)
            }
        }
    }
}
