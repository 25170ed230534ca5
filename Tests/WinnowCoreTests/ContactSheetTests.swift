import Foundation
import Testing
@testable import WinnowCore

@Suite struct ContactSheetTests {
    func placed(_ id: Int64, _ verdict: VerdictKind, yaw: YawBin? = nil, pitch: PitchBin = .level, reason: String? = nil) -> FileRecord {
        var row = FileRecord(subject: "anne", sourcePath: "/drop/\(id).jpg", size: 1, mtime: 0)
        row.id = id
        row.state = .placed
        row.libraryPath = "/lib/anne/\(id).jpg"
        row.verdict = verdict
        row.reason = reason
        if let yaw {
            let facts = ImageFacts(sha256: "\(id)", byteCount: 1, width: 1, height: 1, format: "jpegload",
                                   faces: FaceFacts(count: 1, yawBin: yaw, pitchBin: pitch))
            row.facts = String(decoding: try! JSONEncoder().encode(facts), as: UTF8.self)
        }
        return row
    }

    @Test func everyAngleBinHasARowEvenWhenEmpty() {
        let sheet = ContactSheet(subject: "anne", records: [placed(1, .kept, yaw: .frontal)], missing: nil)
        let angles = sheet.rows.filter { $0.kind == .angle }
        #expect(angles.count == YawBin.allCases.count * PitchBin.allCases.count)
        #expect(angles.map(\.label) == ContactSheet.angleBins)
        #expect(angles.first { $0.label == "frontal" }?.cells.map(\.path) == ["/lib/anne/1.jpg"])
        #expect(angles.filter { !$0.cells.isEmpty }.count == 1)
    }

    @Test func keptImagesWithoutAnAngleAndRejectsGetTheirOwnRows() {
        let sheet = ContactSheet(subject: "anne", records: [
            placed(1, .kept), placed(2, .blurry, reason: "sharpness 3.1"),
            placed(3, .duplicate, reason: "same bytes as /home/u/Pictures/winnow/anne/kept/a.jpg"),
        ], missing: nil)
        #expect(sheet.rows.first { $0.kind == .unsorted }?.cells.count == 1)
        let rejects = sheet.rows.filter { $0.kind == .reject }
        #expect(rejects.map(\.label) == ["duplicate", "blurry"])
        #expect(rejects[0].cells[0].caption == "same bytes as a.jpg")
        #expect(rejects[1].cells[0].caption == "sharpness 3.1")
        #expect(sheet.keptCount == 1 && sheet.rejectCount == 2)
    }

    @Test func emptyBinsThatWouldFillAMissingAngleAreMarkedWanted() {
        let sheet = ContactSheet(subject: "anne", records: [], missing: ["profile right", "looking down"])
        let wanted = Set(sheet.rows.filter(\.wanted).map(\.label))
        #expect(wanted.contains("profile-right"))
        #expect(wanted.contains("frontal-down"))
        #expect(!wanted.contains("frontal"))
    }

    @Test func otherSubjectsAndUnplacedFilesAreLeftOut() {
        var other = placed(1, .kept)
        other.subject = "bob"
        var pending = placed(2, .kept)
        pending.state = .journaled
        let sheet = ContactSheet(subject: "anne", records: [other, pending], missing: nil)
        #expect(sheet.keptCount == 0)
    }
}
