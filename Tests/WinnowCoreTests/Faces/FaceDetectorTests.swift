import Foundation
import Testing
@testable import WinnowCore

/// The detectors behind the face stage: dlib's HOG for frontal to 3/4 faces, OpenCV's LBP profile cascade
/// for side views, dlib's CNN where both find nothing.
struct FaceDetectorTests {
    @Test func theCNNModelIsInPlaceAfterSetUp() throws {
        let detector = try FaceDetector.shared
        #expect(detector.hasCNN, "\(detector.detectorsSummary): run scripts/setup --deps")
    }

    @Test func withoutTheCNNModelDetectionRunsOnAndSaysWhichFileIsMissing() throws {
        let path = "/nonexistent/mmod_human_face_detector.dat"
        let detector = try FaceDetector(cnnModelPath: path)
        #expect(!detector.hasCNN)
        #expect(detector.detectorsSummary.contains(path))
        #expect(try detector.cnn(gray: [UInt8](repeating: 128, count: 64 * 64), width: 64, height: 64).isEmpty)
    }

    /// dlib aborts the process at its second fatal error, and its network raises one for a buffer its filters do
    /// not fit: a sliver of an image, asked twice, is simply no face.
    @Test(arguments: [(1, 1000), (3000, 40), (192, 3), (47, 192)])
    func aSliverOfAnImageHasNoFaceAndTheProcessGoesOn(width: Int, height: Int) throws {
        let gray = [UInt8](repeating: 90, count: width * height)
        for _ in 0..<2 {
            #expect(try FaceDetector.shared.cnn(gray: gray, width: width, height: height).isEmpty)
        }
        let image = DecodedImage(width: width, height: height, rgb: gray.flatMap { [$0, $0, $0] },
                                 fullWidth: width, fullHeight: height, format: "pngload")
        #expect(try FaceStage().analyze(image).faces.isEmpty)
    }

    @Test func aDamagedCNNModelIsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-test-\(UUID()).dat").path
        try Data("not a dlib network".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: FaceModelError.self) { try FaceDetector(cnnModelPath: path) }
        #expect(error?.description.contains(path) == true)
    }

    /// AFLW2000 photos turned 45–55° (degrees from their 3-D fit): neither HOG, even enlarged, nor the profile
    /// cascade finds them; the CNN does, and the landmarks fitted in its box give the side — mirrored too.
    @Test(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"),
          arguments: [("prnet__TestImages_AFLW2000_image04331.jpg", YawBin.threeQuarterLeft),
                      ("prnet__TestImages_AFLW2000_image04331__mirror.jpg", YawBin.threeQuarterRight)])
    func theCNNFindsAThreeQuarterFaceTheOtherDetectorsMiss(file: String, bin: YawBin) throws {
        let image = try FaceDevSet.image(file)
        let analysis = try FaceStage().analyze(image)
        #expect(!analysis.raw.contains { $0.source == .hog || $0.source == .hogMirror })
        let main = try #require(analysis.main)
        #expect(main.detection.source == .cnn)
        #expect(analysis.faces.count == 1)
        #expect(analysis.facts.yawBin == bin)
    }

    /// The detectors keep scratch state, so each concurrent call gets scanners of its own: the analysis workers
    /// detect at once and each gets exactly what a lone call gets, on every path (HOG, the profile cascade, the CNN,
    /// no face at all).
    @Test(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"))
    func severalThreadsDetectAtOnceAndEachGetsWhatALoneCallGets() throws {
        let files = ["deepface__tests_unit_dataset_img1.jpg", "meds__samples_meds_aa_S001-08-t10_02.jpg",
                     "prnet__TestImages_AFLW2000_image04331.jpg", "skimage__coffee.jpg",
                     "deepface__tests_unit_dataset_couple.jpg", "huynnq__assets_khanhduong1__mirror.jpg"]
        let images = try files.map { try FaceDevSet.image($0) }
        let stage = FaceStage()
        @Sendable func measure(_ image: DecodedImage) -> (FaceFacts, [Point2])? {
            guard let analysis = try? stage.analyze(image) else { return nil }
            return (analysis.facts, analysis.main?.detection.landmarks ?? [])
        }
        let alone = images.map(measure)
        #expect(Set(alone.map { $0?.0.count }) == [0, 1, 2], "the files should cover no face, one face and two")
        let together = concurrentMap(4 * images.count, workers: 4) { measure(images[$0 % images.count]) }
        for index in 0..<together.count {
            let got = try #require(together[index], "\(files[index % files.count]) failed on a thread")
            let expected = try #require(alone[index % images.count])
            #expect(got.0 == expected.0, "\(files[index % files.count])")
            #expect(got.1 == expected.1, "\(files[index % files.count]): landmarks")
        }
    }

    @Test func missingProfileCascadeIsAClearErrorNamingTheFileAndThePackage() throws {
        let path = "/nonexistent/lbpcascade_profileface.xml"
        let error = #expect(throws: FaceModelError.self) { try FaceDetector(profileCascadePath: path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("opencv-data") == true)
    }

    @Test func defaultProfileCascadeIsDebiansLBPOne() {
        #expect(FaceDetector.defaultProfileCascadePath.hasSuffix("lbpcascades/lbpcascade_profileface.xml"))
    }

    /// A mugshot side view (DEV) that HOG misses even enlarged 2×: the profile cascade finds it, and the pass
    /// that found it gives the side — its mirrored copy comes out on the other side.
    @Test(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"),
          arguments: [("meds__samples_meds_aa_S001-08-t10_02.jpg", YawBin.profileLeft),
                      ("meds__samples_meds_aa_S001-08-t10_02__mirror.jpg", YawBin.profileRight)])
    func profileCascadeFindsASideViewThatHOGMisses(file: String, bin: YawBin) throws {
        let image = try FaceDevSet.image(file)
        let settings = FaceSettings()
        let (gray, width, height) = GrayImage.shrunk(image, maxSide: settings.detectionSide)
        let hog = try FaceDetector.shared.frontal(gray: gray, width: width, height: height, upsample: 2,
                                                  hogThreshold: settings.hogMinScore)
        #expect(hog.isEmpty)
        let analysis = try FaceStage(settings: settings).analyze(image)
        #expect(analysis.faces.count == 1)
        #expect(analysis.facts.yawBin == bin)
    }

    /// A mugshot side view (DEV) that HOG finds only as a weak hit of a turned sub-detector, with landmarks that
    /// read as frontal: the profile cascade confirms the side view, and its pass gives the side — mirrored too.
    @Test(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"),
          arguments: [("meds__samples_meds_aa_S001-08-t10_03.jpg", YawBin.profileRight),
                      ("meds__samples_meds_aa_S001-08-t10_03__mirror.jpg", YawBin.profileLeft)])
    func profileCascadeConfirmsAWeakTurnedHOGHitAsASideView(file: String, bin: YawBin) throws {
        let image = try FaceDevSet.image(file)
        let analysis = try FaceStage().analyze(image)
        let main = try #require(analysis.main)
        #expect(analysis.faces.count == 1)
        #expect(main.detection.source == .hog)
        #expect(FaceMerger(settings: FaceSettings()).isWeakTurned(main.detection))
        // Without the cascade's word the landmarks alone say frontal.
        #expect(PoseModel().pose(PoseFeatures(landmarks: main.detection.landmarks)).yawBin == .frontal)
        #expect(analysis.facts.yawBin == bin)
    }
}
