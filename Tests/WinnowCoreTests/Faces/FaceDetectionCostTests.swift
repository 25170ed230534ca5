import Foundation
import Testing
@testable import WinnowCore

/// The ways the face stage saves work without changing what it finds: detectors return boxes only and landmarks
/// are fitted for the measured face alone; the retry for small faces searches only the scales not yet searched;
/// HOG's mirror pass searches only the scales where the first pass saw something.
@Suite(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"))
struct FaceDetectionCostTests {
    /// A frontal DEV face (one face, 141 px wide in its 1200 px photo).
    static let file = "deepface__tests_unit_dataset_img12.jpg"
    static let path = FaceDevSet.folder.appendingPathComponent("images").appendingPathComponent(file).path

    static func detectionCopy(maxSide: Int = FaceSettings().detectionSide) throws -> ([UInt8], Int, Int) {
        GrayImage.shrunk(try FaceDevSet.image(file), maxSide: maxSide)
    }

    /// Against a full search of the mirrored buffer: the same faces with the same scores, each box edge within a
    /// pixel (mapped up from the coarser level, it is rounded once more). DEV photos of one face, large and small in the frame.
    @Test(arguments: ["deepface__tests_unit_dataset_img12.jpg", "deepface__tests_unit_dataset_img13.jpg",
                      "deepface__tests_unit_dataset_img17.jpg", "3ddfa__c++_test2.jpg",
                      "d3dfr__datasets_examples_000050.jpg", "huynnq__assets_khanhduong2.jpg"])
    func theMirrorPassFindsWhatAFullSearchOfTheMirrorFinds(file: String) throws {
        let (gray, width, height) = GrayImage.shrunk(try FaceDevSet.image(file), maxSide: FaceSettings().detectionSide)
        var flipped = gray
        for y in 0..<height { for x in 0..<width { flipped[y * width + x] = gray[y * width + width - 1 - x] } }
        let threshold = FaceSettings().hogMinScore
        let mirrorPass = try FaceDetector.shared.frontal(gray: gray, width: width, height: height, hogThreshold: threshold)
            .filter { $0.source == .hogMirror }
        let fullSearch = try FaceDetector.shared.frontal(gray: flipped, width: width, height: height, hogThreshold: threshold,
                                                         mirrorPass: false)
        #expect(!fullSearch.isEmpty)
        #expect(mirrorPass.count == fullSearch.count)
        for hit in fullSearch {
            let box = FaceBox(x: Double(width) - hit.box.x - hit.box.width, y: hit.box.y, width: hit.box.width, height: hit.box.height)
            let twin = mirrorPass.first { abs($0.score - hit.score) < 1e-9 }
            #expect(twin != nil, "\(file): no mirror-pass hit scored \(hit.score)")
            guard let twin else { continue }
            let edges = { (b: FaceBox) in [b.x, b.y, b.x + b.width, b.y + b.height] }
            #expect(zip(edges(twin.box), edges(box)).allSatisfy { abs($0 - $1) <= 1 }, "\(file): \(twin.box) against \(box)")
        }
    }

    @Test func detectorsReturnBoxesAndTheStageFitsLandmarksForTheMainFaceOnly() throws {
        let (gray, width, height) = try Self.detectionCopy()
        let hits = try FaceDetector.shared.frontal(gray: gray, width: width, height: height)
        #expect(!hits.isEmpty)
        #expect(hits.allSatisfy { $0.landmarks.isEmpty })
        let analysis = try FaceStage().analyze(try FaceDevSet.image(Self.file))
        #expect(analysis.main?.detection.landmarks.count == 68)
        #expect(analysis.faces.dropFirst().allSatisfy { $0.detection.landmarks.isEmpty })
        #expect(analysis.facts.yawBin == .frontal)
    }

    /// The fit averages the image and its mirror, so the mirrored buffer with the mirrored box gives exactly the
    /// mirrored points: opposite yaw, mean x mirrored.
    @Test func landmarksFittedOnAMirroredImageAreTheMirroredLandmarks() throws {
        let (gray, width, height) = try Self.detectionCopy()
        let box = try #require(try FaceDetector.shared.frontal(gray: gray, width: width, height: height).first).box
        var flipped = gray
        for y in 0..<height { for x in 0..<width { flipped[y * width + x] = gray[y * width + width - 1 - x] } }
        let flippedBox = FaceBox(x: Double(width) - box.x - box.width, y: box.y, width: box.width, height: box.height)
        let a = try #require(try FaceDetector.shared.landmarks(gray: gray, width: width, height: height, boxes: [box]).first)
        let b = try #require(try FaceDetector.shared.landmarks(gray: flipped, width: width, height: height, boxes: [flippedBox]).first)
        let meanX = { (points: [Point2]) in points.map(\.x).reduce(0, +) / Double(points.count) }
        #expect(abs(meanX(a) + meanX(b) - Double(width - 1)) < 0.01)
        let yawA = PoseModel().pose(PoseFeatures(landmarks: a)).yaw, yawB = PoseModel().pose(PoseFeatures(landmarks: b)).yaw
        #expect(abs(yawA + yawB) < 0.01, "yaw \(yawA) vs \(yawB)")
    }

    /// The first pyramid levels hold the smallest faces: limited to them, HOG misses a large face and still
    /// finds the same face shrunk to about its window.
    @Test func searchLimitedToTheFirstPyramidLevelsFindsOnlySmallFaces() throws {
        let (gray, width, height) = try Self.detectionCopy()
        let full = try FaceDetector.shared.frontal(gray: gray, width: width, height: height)
        let side = try #require(full.first).box.side
        #expect(side > 110)
        #expect(try FaceDetector.shared.frontal(gray: gray, width: width, height: height, pyramidLevels: 1).isEmpty)
        // The same face at ~85 px (HOG's window is 80 px).
        let (small, smallWidth, smallHeight) = try Self.detectionCopy(maxSide: Int(Double(max(width, height)) * 85 / side))
        #expect(!(try FaceDetector.shared.frontal(gray: small, width: smallWidth, height: smallHeight, pyramidLevels: 2)).isEmpty)
    }

    /// A face below HOG's window with nothing else found: the stage's 2× retry (its unsearched levels only)
    /// still finds it. The photo, shrunk so its face box is ~40 px, sits in a 640×480 gray canvas: the first
    /// pass (no enlargement at 640 px) sees the face too small, the retry sees it at ~80 px.
    @Test func retryForSmallFacesStillFindsAFaceBelowTheWindow() throws {
        let large = try FaceDevSet.image(Self.file)
        let (gray, width, height) = GrayImage.shrunk(large, maxSide: FaceSettings().detectionSide)
        let side = try #require(try FaceDetector.shared.frontal(gray: gray, width: width, height: height).first).box.side
        let photo = try DecodedImage.load(path: Self.path, maxSide: Int(Double(max(width, height)) * 40 / side),
                                          maxPixels: 250_000_000)
        let (canvasWidth, canvasHeight) = (640, 480)
        var rgb = [UInt8](repeating: 128, count: canvasWidth * canvasHeight * 3)
        for y in 0..<min(photo.height, canvasHeight) {
            for x in 0..<min(photo.width, canvasWidth) {
                for c in 0..<3 { rgb[(y * canvasWidth + x) * 3 + c] = photo.rgb[(y * photo.width + x) * 3 + c] }
            }
        }
        let canvas = DecodedImage(width: canvasWidth, height: canvasHeight, rgb: rgb, fullWidth: canvasWidth,
                                  fullHeight: canvasHeight, format: "test")
        #expect(try FaceDetector.shared.frontal(gray: canvas.gray, width: canvasWidth, height: canvasHeight,
                                                hogThreshold: FaceSettings().hogMinScore).isEmpty)
        let analysis = try FaceStage().analyze(canvas)
        #expect(analysis.faces.count == 1)
        #expect(analysis.main?.detection.source == .hog)
        #expect(analysis.facts.yawBin == .frontal)
    }
}
