import Foundation
import Testing
@testable import WinnowCore

/// The pose model on synthetic landmarks: a generic 3-D face turned by a known angle and projected.
struct PoseModelTests {
    /// A rough 3-D face (x right, y down, z toward the camera), iBUG order, in units of eye distance.
    static func face(yaw: Double, pitch: Double = 0) -> [Point2] {
        var points = [(Double, Double, Double)]()
        for i in 0..<17 { let t = Double(i) / 16 * .pi; points.append((-cos(t) * 0.95, -0.1 + sin(t) * 1.0, -0.6 + sin(t) * 0.5)) }
        for i in 0..<5 { points.append((-0.8 + Double(i) * 0.15, -0.35, 0.05)) }
        for i in 0..<5 { points.append((0.2 + Double(i) * 0.15, -0.35, 0.05)) }
        for i in 0..<4 { points.append((0, -0.15 + Double(i) * 0.13, 0.1 + Double(i) * 0.1)) }
        for i in 0..<5 { points.append((-0.2 + Double(i) * 0.1, 0.45, 0.25)) }
        let eye: [(Double, Double)] = [(-0.2, 0), (-0.1, -0.05), (0.05, -0.05), (0.2, 0), (0.05, 0.05), (-0.1, 0.05)]
        for (dx, dy) in eye { points.append((-0.5 + dx * 1.0, dy, 0)) }
        for (dx, dy) in eye { points.append((0.5 - eye[0].0 * 0 + dx, dy, 0)) }
        for i in 0..<12 { let t = Double(i) / 12 * 2 * .pi; points.append((-cos(t) * 0.4, 0.85 + sin(t) * 0.12, 0.2)) }
        for i in 0..<8 { let t = Double(i) / 8 * 2 * .pi; points.append((-cos(t) * 0.25, 0.85 + sin(t) * 0.03, 0.22)) }
        let (cy, sy) = (cos(yaw * .pi / 180), sin(yaw * .pi / 180))
        let (cp, sp) = (cos(pitch * .pi / 180), sin(pitch * .pi / 180))
        return points.map { x, y, z in
            // Yaw > 0 turns the nose (z > 0) toward −x, the image's left.
            let x1 = cy * x - sy * z, z1 = sy * x + cy * z
            // Pitch > 0 lifts the nose (z > 0) toward −y, up in the image.
            let y2 = cp * y - sp * z1
            return Point2(x: 500 + 100 * x1, y: 400 + 100 * y2)
        }
    }

    static func mirrored(_ p: [Point2]) -> [Point2] {
        // iBUG 300-W left/right correspondence.
        var map = Array(0..<68)
        for i in 0...16 { map[i] = 16 - i }
        for i in 17...26 { map[i] = 43 - i }
        for (a, b) in [(31, 35), (32, 34), (36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46),
                       (48, 54), (49, 53), (50, 52), (59, 55), (58, 56), (60, 64), (61, 63), (67, 65)] {
            map[a] = b; map[b] = a
        }
        return map.map { Point2(x: 1000 - p[$0].x, y: p[$0].y) }
    }

    @Test(arguments: [-50.0, -30, -10, 0, 10, 30, 50])
    func yawHasTheSignOfTheTurnAndGrowsWithIt(yaw: Double) {
        let pose = PoseModel().pose(PoseFeatures(landmarks: Self.face(yaw: yaw)))
        if yaw == 0 { #expect(abs(pose.yaw) < 3) } else { #expect(pose.yaw.sign == yaw.sign) }
        let stronger = PoseModel().pose(PoseFeatures(landmarks: Self.face(yaw: yaw + 5)))
        #expect(stronger.yaw > pose.yaw)
    }

    @Test(arguments: [-30.0, -10, 10, 30])
    func mirroredLandmarksGiveMirroredYawAndTheSamePitch(yaw: Double) {
        let face = Self.face(yaw: yaw, pitch: 8)
        let a = PoseModel().pose(PoseFeatures(landmarks: face))
        let b = PoseModel().pose(PoseFeatures(landmarks: Self.mirrored(face)))
        #expect(abs(a.yaw + b.yaw) < 1e-6)
        #expect(abs(a.pitch - b.pitch) < 1e-6)
        #expect(a.yawBin == PoseModelTests.swap(b.yawBin))
    }

    @Test func pitchRisesWhenTheHeadTiltsUp() {
        let level = PoseModel().pose(PoseFeatures(landmarks: Self.face(yaw: 0, pitch: 0))).pitch
        let up = PoseModel().pose(PoseFeatures(landmarks: Self.face(yaw: 0, pitch: 20))).pitch
        let down = PoseModel().pose(PoseFeatures(landmarks: Self.face(yaw: 0, pitch: -20))).pitch
        #expect(up > level && level > down)
    }

    @Test func binsFollowTheDesignThresholds() {
        #expect(YawBin(yaw: 20) == .frontal && YawBin(yaw: -20) == .frontal)
        #expect(YawBin(yaw: 21) == .threeQuarterLeft && YawBin(yaw: -21) == .threeQuarterRight)
        #expect(YawBin(yaw: 61) == .profileLeft && YawBin(yaw: -61) == .profileRight)
        #expect(PitchBin(pitch: 16) == .up && PitchBin(pitch: -16) == .down && PitchBin(pitch: 15) == .level)
    }

    static func swap(_ bin: YawBin) -> YawBin {
        switch bin {
        case .profileLeft: .profileRight
        case .threeQuarterLeft: .threeQuarterRight
        case .frontal: .frontal
        case .threeQuarterRight: .threeQuarterLeft
        case .profileRight: .profileLeft
        }
    }
}
