import Foundation

/// Head pose in degrees, image-based: yaw > 0 = nose toward the image's left, pitch > 0 = looking up,
/// roll > 0 = the eye line turns clockwise in the image (right eye lower).
public struct HeadPose: Sendable, Equatable, Codable {
    public var yaw: Double
    public var pitch: Double
    public var roll: Double
    public init(yaw: Double, pitch: Double, roll: Double) { self.yaw = yaw; self.pitch = pitch; self.roll = roll }

    public var yawBin: YawBin { YawBin(yaw: yaw) }
    public var pitchBin: PitchBin { PitchBin(pitch: pitch) }
}

/// 2-D measurements on the 68 landmarks, after undoing roll, normalised by the eye distance so they do not
/// depend on the face's size. They are mirror-antisymmetric by construction: a mirrored face negates
/// `noseOffset` and `contourOffset` and keeps `noseDrop` and `mouthDrop`.
public struct PoseFeatures: Sendable, Equatable, Codable {
    /// Nose tip minus the eyes' midpoint, horizontally, over the eye distance (< 0: nose toward image left).
    public var noseOffset: Double
    /// Where the nose tip sits between the cheek contours, minus ½ (< 0: toward image left).
    public var contourOffset: Double
    /// Nose tip below the eyes' midpoint, over the eye distance (smaller when looking up).
    public var noseDrop: Double
    /// Nose tip's share of the eyes-to-mouth height (smaller when looking up).
    public var noseShare: Double
    public var roll: Double

    public init(landmarks p: [Point2]) {
        precondition(p.count == 68, "needs the 68 iBUG landmarks")
        func mean(_ range: ClosedRange<Int>) -> Point2 {
            let n = Double(range.count)
            return Point2(x: range.reduce(0) { $0 + p[$1].x } / n, y: range.reduce(0) { $0 + p[$1].y } / n)
        }
        // Landmark 36–41 is the eye on the image's left, 42–47 the one on the image's right.
        let leftEye = mean(36...41), rightEye = mean(42...47)
        let mid = Point2(x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2)
        let angle = atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x)
        let (c, s) = (cos(-angle), sin(-angle))
        // Undo roll about the eyes' midpoint, so "horizontal" means along the eye line.
        func level(_ q: Point2) -> Point2 {
            let dx = q.x - mid.x, dy = q.y - mid.y
            return Point2(x: c * dx - s * dy, y: s * dx + c * dy)
        }
        let eyeDistance = max(hypot(rightEye.x - leftEye.x, rightEye.y - leftEye.y), 1e-6)
        let nose = level(p[30])
        let mouth = level(Point2(x: (p[48].x + p[54].x + p[51].x + p[57].x) / 4,
                                 y: (p[48].y + p[54].y + p[51].y + p[57].y) / 4))
        let cheekLeft = level(Point2(x: (p[1].x + p[2].x) / 2, y: (p[1].y + p[2].y) / 2))
        let cheekRight = level(Point2(x: (p[14].x + p[15].x) / 2, y: (p[14].y + p[15].y) / 2))
        noseOffset = nose.x / eyeDistance
        contourOffset = (nose.x - cheekLeft.x) / max(cheekRight.x - cheekLeft.x, 1e-6) - 0.5
        noseDrop = nose.y / eyeDistance
        noseShare = nose.y / max(mouth.y, 1e-6)
        roll = angle * 180 / .pi
    }
}

/// A calibrated 2-D model from landmark features to degrees. Why not a PnP fit: on this data a generic
/// 3-D face fitted with PnP flips left/right and drifts in pitch; these ratios are monotonic in the angle,
/// mirror-exact, and their few constants were fitted on the DEV labels (`scripts/eval-faces`).
public struct PoseModel: Sendable, Equatable {
    /// Geometry of the generic head: tan(yaw) ≈ noseOffset × yawGain (eye half-distance over nose depth).
    public var yawGain: Double = 1.2
    /// Weight of the contour cue (saturates less near 3/4, noisier near frontal).
    public var contourWeight: Double = 0.25
    /// noseShare of a level head, and degrees per unit of its change.
    public var levelNoseShare: Double = 0.475
    public var pitchGain: Double = 100

    public init() {}

    public func pose(_ f: PoseFeatures) -> HeadPose {
        // Both yaw cues say "nose left of centre" with a negative number; yaw > 0 means nose toward image left.
        let fromEyes = atan(-f.noseOffset * yawGain) * 180 / .pi
        let fromContour = asin(max(-1, min(1, -f.contourOffset * 2))) * 180 / .pi
        let yaw = (1 - contourWeight) * fromEyes + contourWeight * fromContour
        let pitch = (levelNoseShare - f.noseShare) * pitchGain
        return HeadPose(yaw: yaw, pitch: pitch, roll: f.roll)
    }
}
