/// One raw detection, before merging: which detector and pass found it, its box, and (for the face the stage
/// measures) the 68 landmarks fitted in it.
public struct DetectedFace: Sendable, Equatable {
    public enum Source: String, Sendable, Codable {
        /// dlib's HOG detector (frontal to roughly three-quarter faces).
        case hog
        /// dlib's HOG detector on the mirrored image (HOG is not mirror-symmetric by itself).
        case hogMirror = "hog-mirror"
        /// The profile cascade on the image: the face looks the way the cascade was trained.
        case profileImage = "profile-image"
        /// The profile cascade on the mirrored image: the face looks the other way.
        case profileMirror = "profile-mirror"
        /// dlib's CNN face detector (the fallback where HOG and the profile cascade found nothing).
        case cnn
    }

    public var box: FaceBox
    public var source: Source
    /// HOG: detection score; cascade: neighbour hits.
    public var score: Double
    /// HOG only: dlib's sub-detector (0 front, 1 and 2 turned, 3 and 4 rotated front).
    public var subdetector: Int?
    /// iBUG 300-W order: 0–16 jaw, 17–26 brows, 27–35 nose, 36–47 eyes, 48–67 mouth;
    /// the mean of the fits on the image and on its mirror. Empty until fitted: detectors return boxes only,
    /// and the stage fits landmarks for the face it measures (`FaceDetector.landmarks`).
    public var landmarks: [Point2] = []
    /// How many times larger this copy is than the one the detector ran on (the profile cascade runs on a
    /// smaller copy): landmarks are fitted on the detector's own copy, where its box is exact.
    var copyScale: Double = 1

    /// The same face in a copy `factor` times larger.
    func scaled(by factor: Double) -> DetectedFace {
        var face = self
        face.box = box.scaled(by: factor)
        face.copyScale = copyScale * factor
        face.landmarks = landmarks.map { Point2(x: $0.x * factor, y: $0.y * factor) }
        return face
    }
}
