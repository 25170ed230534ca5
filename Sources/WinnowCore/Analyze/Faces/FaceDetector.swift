import FaceShim
import Foundation
import Logging

/// Why the face models could not be used.
public struct FaceModelError: Error, CustomStringConvertible {
    public var description: String
}

/// The process's face detector: models loaded once (1–2 s), then shared by every thread.
public final class FaceDetector: @unchecked Sendable {
    // @unchecked: the shim gives each concurrent call scanners of its own; the pointer is never mutated after init.
    private let handle: OpaquePointer

    /// Debian's model files (`libdlib-data`, `opencv-data`). The LBP profile cascade, not the Haar one: on DEV
    /// it finds 16/16 profiles (Haar 14/16, and 3 three-quarter faces on the wrong side) at an eighth of the cost
    /// (two passes at 480 px: 45 ms against 375 ms of CPU), with no false face in the 12 no-face images.
    public static let defaultLandmarksPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
    public static let defaultProfileCascadePath = "/usr/share/opencv4/lbpcascades/lbpcascade_profileface.xml"

    /// dlib's CNN face detector, fetched by `scripts/setup` (scripts/setup.d/50-face-cnn-model) into winnow's
    /// data folder: `$XDG_DATA_HOME/winnow/models/mmod_human_face_detector.dat`.
    public static var defaultCNNModelPath: String {
        XDGPaths().dataHome.appendingPathComponent("winnow/models/mmod_human_face_detector.dat").path
    }

    /// Whether the CNN fallback is available (its model file was found and loaded).
    public private(set) var hasCNN = false
    /// One line saying which detectors run, for the log: names the missing CNN file and how to get it.
    public private(set) var detectorsSummary = "HOG + profile cascade"

    /// `cnnModelPath` is optional: where the file is absent (or nil), detection runs without the CNN fallback
    /// and `detectorsSummary` says so; a file that exists but cannot be loaded is an error.
    public init(landmarksPath: String = FaceDetector.defaultLandmarksPath,
                profileCascadePath: String? = FaceDetector.defaultProfileCascadePath,
                cnnModelPath: String? = FaceDetector.defaultCNNModelPath) throws {
        for path in [landmarksPath, profileCascadePath].compactMap({ $0 })
        where !FileManager.default.fileExists(atPath: path) {
            throw FaceModelError(description: "face model missing: \(path) (install libdlib-data and opencv-data)")
        }
        var error: UnsafeMutablePointer<CChar>?
        guard let handle = winnow_faces_create(landmarksPath, profileCascadePath, &error) else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            if let error { winnow_face_string_free(error) }
            throw FaceModelError(description: "cannot load face models: \(message)")
        }
        self.handle = handle
        guard let cnnModelPath else { return }
        guard FileManager.default.fileExists(atPath: cnnModelPath) else {
            detectorsSummary = "HOG + profile cascade only: CNN face model not found at \(cnnModelPath) (scripts/setup fetches it)"
            return
        }
        guard winnow_faces_load_cnn(handle, cnnModelPath, &error) == 0 else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            if let error { winnow_face_string_free(error) }
            throw FaceModelError(description: "cannot load CNN face model \(cnnModelPath): \(message)")
        }
        hasCNN = true
        detectorsSummary = "HOG + profile cascade + CNN fallback"
    }

    deinit { winnow_faces_free(handle) }

    /// The shared detector, created on first use (Swift runs a static initialiser exactly once, thread-safely).
    public static var shared: FaceDetector {
        get throws { try sharedResult.get() }
    }
    private static let sharedResult: Result<FaceDetector, Error> = Result {
        let detector = try FaceDetector()
        let logger = Logger(label: "winnow.faces")
        if detector.hasCNN { logger.info("face detectors: \(detector.detectorsSummary)") } else {
            logger.notice("face detectors: \(detector.detectorsSummary)")
        }
        return detector
    }

    /// dlib's HOG detector (frontal to roughly 3/4 faces), on the image and, with `mirrorPass`, on its mirror.
    /// `pyramidLevels` limits the search to the first levels of HOG's image pyramid (the smallest faces; each level
    /// 5/6 the size of the one before); nil searches all.
    public func frontal(gray: [UInt8], width: Int, height: Int, upsample: Double = 1,
                        hogThreshold: Double = 0, mirrorPass: Bool = true,
                        pyramidLevels: Int? = nil) throws -> [DetectedFace] {
        try call(gray, width, height) { pixels, out, capacity in
            winnow_faces_hog(handle, pixels, Int32(width), Int32(height), upsample, hogThreshold, mirrorPass ? 1 : 0,
                             Int32(pyramidLevels ?? 0), out, capacity)
        }
    }

    /// dlib's CNN face detector (returns nothing when its model was not loaded). `threshold` is added to the
    /// network's own (< 0 returns weaker hits). Cost grows with the pixel count and is far above HOG's: small copies.
    public func cnn(gray: [UInt8], width: Int, height: Int, threshold: Double = 0) throws -> [DetectedFace] {
        guard hasCNN else { return [] }
        return try call(gray, width, height) { pixels, out, capacity in
            winnow_faces_cnn(handle, pixels, Int32(width), Int32(height), threshold, out, capacity)
        }
    }

    /// The 68 landmarks inside each box (in the pixels of `gray`, enlarged by `upsample` for the fit, as the
    /// detector that found the box saw it), each the mean of a fit on the image and one on its mirror.
    /// `rolls` (degrees, one per box, default 0) fits each face turned level by that much: the model was trained on
    /// upright faces and does not follow a head tilted far.
    public func landmarks(gray: [UInt8], width: Int, height: Int, upsample: Double = 1,
                          boxes: [FaceBox], rolls: [Double]? = nil) throws -> [[Point2]] {
        precondition(gray.count == width * height, "gray buffer does not match its size")
        guard !boxes.isEmpty else { return [] }
        let flat = boxes.flatMap { [$0.x, $0.y, $0.width, $0.height] }
        let angles = (rolls ?? Array(repeating: 0, count: boxes.count)).map { $0 * .pi / 180 }
        precondition(angles.count == boxes.count, "one roll per box")
        var out = [Float](repeating: 0, count: 136 * boxes.count)
        let status = gray.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { points in
                winnow_faces_landmarks(handle, pixels.baseAddress, Int32(width), Int32(height), upsample, flat,
                                       angles, Int32(boxes.count), points.baseAddress)
            }
        }
        guard status >= 0 else { throw FaceModelError(description: "landmark fit failed") }
        return boxes.indices.map { b in
            (0..<68).map { i in Point2(x: Double(out[136 * b + 2 * i]), y: Double(out[136 * b + 2 * i + 1])) }
        }
    }

    /// The profile cascade on the image and on its mirror (it finds one side only).
    public func profiles(gray: [UInt8], width: Int, height: Int, upsample: Double = 1,
                         minProfileSide: Int = 40) throws -> [DetectedFace] {
        try call(gray, width, height) { pixels, out, capacity in
            winnow_faces_profiles(handle, pixels, Int32(width), Int32(height), upsample, Int32(minProfileSide), out, capacity)
        }
    }

    private func call(_ gray: [UInt8], _ width: Int, _ height: Int,
                      _ body: (UnsafePointer<UInt8>?, UnsafeMutablePointer<winnow_face>?, Int32) -> Int32) throws -> [DetectedFace] {
        precondition(gray.count == width * height, "gray buffer does not match its size")
        let capacity = 64
        var raw = [winnow_face](repeating: winnow_face(), count: capacity)
        let total = gray.withUnsafeBufferPointer { pixels in
            raw.withUnsafeMutableBufferPointer { out in body(pixels.baseAddress, out.baseAddress, Int32(capacity)) }
        }
        guard total >= 0 else { throw FaceModelError(description: "face detection failed") }
        return raw.prefix(Int(min(total, Int32(capacity)))).map { face in
            let source: DetectedFace.Source
            switch face.source {
            case WINNOW_FACE_PROFILE_IMAGE: source = .profileImage
            case WINNOW_FACE_PROFILE_MIRROR: source = .profileMirror
            case WINNOW_FACE_HOG_MIRROR: source = .hogMirror
            case WINNOW_FACE_CNN: source = .cnn
            default: source = .hog
            }
            return DetectedFace(
                box: FaceBox(x: Double(face.x), y: Double(face.y), width: Double(face.width), height: Double(face.height)),
                source: source, score: face.score, subdetector: face.subdetector >= 0 ? Int(face.subdetector) : nil)
        }
    }
}
