import Foundation
import Testing
@testable import WinnowCore

/// The DEV figures `scripts/eval-faces` reports, asserted so that a regression fails.
/// Thresholds sit a little under the measured figures (see the issue note), never tuned per file.
@Suite(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"))
struct FaceStageDevSetTests {
    let results = FaceDevSet.results
    var single: [FaceDevSet.Result] { results.filter { $0.label.facesCount == 1 } }
    var found: [FaceDevSet.Result] { single.filter { $0.facts.count >= 1 } }

    @Test func findsNearlyEveryFaceInSingleFaceImages() {
        let rate = Double(found.count) / Double(single.count)
        #expect(rate >= DevFigures.detection, "detection \(found.count)/\(single.count)")
    }

    @Test func findsProfilesThatTheFrontalDetectorMisses() {
        let profiles = single.filter { $0.label.yawBin.hasPrefix("profile") }
        let hits = profiles.filter { $0.facts.count >= 1 }
        #expect(Double(hits.count) / Double(profiles.count) >= DevFigures.profileDetection,
                "profiles \(hits.count)/\(profiles.count)")
    }

    @Test func putsFoundFacesInTheirYawBin() {
        let right = found.filter { $0.facts.yawBin?.rawValue == $0.label.yawBin }
        #expect(Double(right.count) / Double(found.count) >= DevFigures.yawBin, "yaw bin \(right.count)/\(found.count)")
    }

    @Test func putsFoundFacesInTheirPitchBin() {
        let right = found.filter { $0.facts.pitchBin?.rawValue == $0.label.pitchBin }
        #expect(Double(right.count) / Double(found.count) >= DevFigures.pitchBin, "pitch bin \(right.count)/\(found.count)")
    }

    @Test func rarelyConfusesLeftWithRight() {
        let swaps = found.filter { result in
            guard let bin = result.facts.yawBin, bin != .frontal, result.label.yawBin != "frontal" else { return false }
            return bin.rawValue.hasSuffix("left") != result.label.yawBin.hasSuffix("left")
        }
        #expect(swaps.count <= DevFigures.maxSwaps, "swaps: \(swaps.map(\.label.file))")
    }

    @Test func seesFewFacesInImagesWithoutFaces() {
        let none = results.filter { $0.label.facesCount == 0 }
        let falseFaces = none.reduce(0) { $0 + $1.facts.count }
        #expect(falseFaces <= DevFigures.maxFalseFaces, "false faces in \(none.filter { $0.facts.count > 0 }.map(\.label.file))")
    }

    @Test func countsSeveralFacesInGroupPhotos() {
        let multi = results.filter { $0.label.facesCount >= 2 }
        let seen = multi.filter { $0.facts.count >= 2 }
        #expect(seen.count >= DevFigures.multiSeen, "multi \(seen.count)/\(multi.count)")
    }

    @Test func mirroredImagesGetMirroredYawAndSwappedBins() {
        let byFile = Dictionary(uniqueKeysWithValues: results.map { ($0.label.file, $0.facts) })
        var checked = 0
        for (file, mirror) in byFile where file.contains("__mirror") {
            guard let original = byFile[file.replacingOccurrences(of: "__mirror", with: "")] else { continue }
            guard let a = original.yaw, let b = mirror.yaw else { continue }
            checked += 1
            #expect(original.yawBin == mirror.yawBin.map(Self.mirrored), "\(file): \(a) vs \(b)")
            // Pitch: the same within JPEG noise (a pair straddling the ±15° boundary may then differ in bin).
            #expect(abs((original.pitch ?? 0) - (mirror.pitch ?? 0)) <= DevFigures.mirrorPitchTolerance,
                    "\(file): pitch \(original.pitch ?? 0) vs \(mirror.pitch ?? 0)")
            #expect(abs(a + b) <= DevFigures.mirrorYawTolerance, "\(file): yaw \(a) vs \(b)")
        }
        #expect(checked >= DevFigures.mirrorPairsChecked)
    }

    static func mirrored(_ bin: YawBin) -> YawBin {
        switch bin {
        case .profileLeft: .profileRight
        case .threeQuarterLeft: .threeQuarterRight
        case .frontal: .frontal
        case .threeQuarterRight: .threeQuarterLeft
        case .profileRight: .profileLeft
        }
    }
}

/// What `scripts/eval-faces` measured on DEV at the last tuning, rounded down a little.
enum DevFigures {
    /// Measured 114/114 (108 before dlib's CNN ran where HOG and the profile cascade find nothing).
    static let detection = 0.98
    /// Measured 16/16.
    static let profileDetection = 0.95
    /// Measured 89/114 = 0.781: 2 of the 6 faces only the CNN finds are in their bin (the 5 photos whose side
    /// labels contradict the nose rule, see `maxSwaps`, still count as wrong). Before the CNN and the level refit:
    /// 89/108 = 0.824. Faces near a bin boundary move across it with a pixel of box (90/114 before the mirror
    /// pass skipped HOG's finest levels).
    static let yawBin = 0.77
    /// Measured 103/114 = 0.904 (100/108 before the CNN).
    static let pitchBin = 0.89
    /// Measured 10: the mirrored pairs of 5 photos whose hand label names the side opposite to where the nose
    /// points (015384, image00181, id04657, exp_1, prnet TestImages_2; README convention: nose toward the image's
    /// left = left). With those labels corrected the same run has 0 swaps.
    static let maxSwaps = 10
    /// Measured 0 in 12 images.
    static let maxFalseFaces = 0
    /// Measured 5 of 7.
    static let multiSeen = 5
    /// Largest |yaw(original) + yaw(mirror)| measured: 13.2° (a side view whose landmarks are unstable; HOG
    /// picks a different box in the two images); then 8.9° (a face only the CNN finds); all others ≤ 4.3°.
    static let mirrorYawTolerance = 16.0
    /// Largest |pitch(original) − pitch(mirror)| measured: 3.9° (image00181, a side view that the enlarged retry
    /// finds in one HOG pass per image, with boxes 13 px apart); all others ≤ 1.8°.
    static let mirrorPitchTolerance = 4.5
    /// Pairs where both images have a face: measured 22 of 22.
    static let mirrorPairsChecked = 22
}
