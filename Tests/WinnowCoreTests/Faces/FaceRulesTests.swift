import Foundation
import Testing
@testable import WinnowCore

struct FaceRulesTests {
    func facts(width: Int = 2000, height: Int = 3000, faces: FaceFacts?) -> ImageFacts {
        ImageFacts(sha256: "x", byteCount: 1, width: width, height: height, format: "jpegload", faces: faces)
    }
    let oneBigFace = FaceFacts(count: 1, box: [800, 600, 400, 420], yaw: 0, pitch: 0, roll: 0, yawBin: .frontal, pitchBin: .level)

    @Test func imageWithoutAFaceIsSetAsideAsNoFace() {
        #expect(Judge().verdict(for: facts(faces: FaceFacts(count: 0))).kind == .noFace)
    }

    @Test func severalFacesAskForACropAndSayHowMany() {
        var faces = oneBigFace
        faces.count = 3
        let verdict = Judge().verdict(for: facts(faces: faces))
        #expect(verdict.kind == .multiFace)
        #expect(verdict.reason == "crop needed: 3 faces")
    }

    @Test func faceRegionBelowTheTrainingResolutionIsTooSmall() {
        var faces = oneBigFace
        faces.box = [100, 100, 200, 200]  // region 400 px < 512
        let verdict = Judge().verdict(for: facts(faces: faces))
        #expect(verdict.kind == .tooSmall)
        #expect(verdict.reason?.contains("512") == true)
        #expect(Judge().verdict(for: facts(faces: oneBigFace)).kind == .kept)
    }

    @Test func sdxlResolutionNeedsABiggerFace() {
        var settings = FaceSettings()
        settings.minFaceSide = 1024
        // The face region is 2 × 420 = 840 px: enough for SD 1.5, not for SDXL.
        #expect(Judge().verdict(for: facts(faces: oneBigFace)).kind == .kept)
        #expect(Judge(faces: settings).verdict(for: facts(faces: oneBigFace)).kind == .tooSmall)
    }

    @Test func smallImageIsTooSmallWhateverTheFace() {
        #expect(Judge().verdict(for: facts(width: 400, height: 300, faces: oneBigFace)).kind == .tooSmall)
    }

    @Test func imagesWhoseFacesWereNotMeasuredAreKept() {
        #expect(Judge().verdict(for: facts(faces: nil)).kind == .kept)
    }

    @Test func minFaceSideIsReadFromTheFacesSection() throws {
        let loader = ConfigLoader(paths: XDGPaths(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/nonexistent/cfg"]))
        let config = try loader.parse("[faces]\nmin_face_side = 1024\ndetection_side = 640\n")
        #expect(config.analysis.faces.minFaceSide == 1024)
        #expect(config.analysis.faces.detectionSide == 640)
        #expect(throws: ConfigError.self) { try loader.parse("[faces]\nmin_face = 1\n") }
    }
}

struct CoverageTests {
    func face(_ yaw: YawBin, _ pitch: PitchBin = .level, smiling: Bool = false) -> FaceFacts {
        FaceFacts(count: 1, box: [0, 0, 500, 500], yaw: 0, pitch: 0, roll: 0, yawBin: yaw, pitchBin: pitch,
                  expression: .init(smiling: smiling, mouthOpen: false, eyesClosed: false))
    }

    @Test func listsTheRequiredAnglesStillMissingInTheUsersWords() {
        let report = Coverage.report(subject: "anne", keptFaces: [
            face(.frontal), face(.profileLeft), face(.threeQuarterLeft, .up), face(.threeQuarterRight),
        ])
        #expect(report.stillMissing == ["profile right", "looking down"])
        #expect(report.summaryLine == "still missing: profile right, looking down")
        #expect(report.items.first { $0.key == "3q-left-up" }?.count == 1)
        #expect(report.bins["3q-left-up"] == 1 && report.bins["frontal"] == 1)
    }

    @Test func bonusItemsNeverCountAsMissing() {
        let all: [FaceFacts] = [face(.profileLeft), face(.profileRight), face(.threeQuarterLeft),
                                face(.threeQuarterRight), face(.frontal), face(.frontal, .up), face(.frontal, .down)]
        let report = Coverage.report(subject: "anne", keptFaces: all)
        #expect(report.stillMissing.isEmpty)
        #expect(report.summaryLine == "all angles covered")
        #expect(report.items.contains { $0.bonus && !$0.covered })
    }

    @Test func readsOnlyKeptImagesFromTheJournal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-coverage-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try WinnowDatabase(file: folder.appendingPathComponent("db.sqlite"))
        let journal = Journal(database: database)
        for (index, (bin, verdict)) in [(YawBin.profileRight, VerdictKind.kept), (.profileLeft, .multiFace)].enumerated() {
            var row = try journal.record(path: "/drop/\(index).jpg", subject: "anne", size: 1, mtime: 0)
            let facts = ImageFacts(sha256: "\(index)", byteCount: 1, width: 1000, height: 1000, format: "jpegload", faces: face(bin))
            row.facts = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
            row.verdict = verdict
            row.state = .placed
            try journal.save(row)
        }
        let missing = try Coverage.stillMissing(subject: "anne", journal: journal)
        #expect(!missing.contains("profile right"))
        #expect(missing.contains("profile left"))
    }
}
