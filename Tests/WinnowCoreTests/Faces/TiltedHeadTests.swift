import Foundation
import Testing
@testable import WinnowCore

/// A head tilted in the picture is the same pose: its yaw and pitch must not move with the tilt. dlib's landmark
/// model was trained on upright faces, so a face tilted far is fitted again turned level.
@Suite(.enabled(if: FaceDevSet.available, "needs ../shared/data/faces"))
struct TiltedHeadTests {
    /// Every third DEV photo of one frontal or three-quarter face (mirrors left out), as it stands.
    static let photos: [String] = FaceDevSet.labels()
        .filter { $0.facesCount == 1 && !$0.file.contains("__mirror") && ["frontal", "3q-left", "3q-right"].contains($0.yawBin) }
        .map { String($0.file.dropFirst("images/".count)) }
        .enumerated().filter { $0.offset % 3 == 0 }.map(\.element)

    @Test func aHeadTiltedThirtyFiveDegreesKeepsItsYawAndPitch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-tilt-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stage = FaceStage()
        var yawChanges: [Double] = [], pitchChanges: [Double] = [], rollChanges: [Double] = []
        for file in Self.photos {
            let upright = try stage.analyze(FaceDevSet.image(file)).facts
            let turned = folder.appendingPathComponent(file)
            try Self.rotate(FaceDevSet.folder.appendingPathComponent("images").appendingPathComponent(file), by: 35, into: turned)
            let tilted = try stage.analyze(DecodedImage.load(path: turned.path, maxSide: 1024, maxPixels: 250_000_000)).facts
            guard let yaw = upright.yaw, let pitch = upright.pitch, let roll = upright.roll,
                  let tiltedYaw = tilted.yaw, let tiltedPitch = tilted.pitch, let tiltedRoll = tilted.roll else { continue }
            yawChanges.append(abs(tiltedYaw - yaw))
            pitchChanges.append(abs(tiltedPitch - pitch))
            rollChanges.append(tiltedRoll - roll)
        }
        #expect(yawChanges.count >= Self.photos.count * 9 / 10, "faces found again: \(yawChanges.count)/\(Self.photos.count)")
        // All 84 such photos (`scripts/eval-faces --tilt 35`): yaw p90 1.2°, pitch p90 3.7°; fitted upright only,
        // 8.1° and 6.4°. Here, the share within 2°, robust to the few faces whose landmarks fail either way:
        // measured 24/27 yaw and 22/27 pitch; fitted upright only, 18/27 and 17/27.
        #expect(Self.share(yawChanges, within: 2) >= 0.8, "yaw changes \(yawChanges.sorted())")
        #expect(Self.share(pitchChanges, within: 2) >= 0.75, "pitch changes \(pitchChanges.sorted())")
        #expect(abs(rollChanges.sorted()[rollChanges.count / 2] - 35) <= 2, "roll changes \(rollChanges.sorted())")
    }

    /// libvips' own rotation (clockwise), through its command-line tool.
    static func rotate(_ source: URL, by degrees: Double, into target: URL) throws {
        let vips = Process()
        vips.executableURL = URL(fileURLWithPath: "/usr/bin/vips")
        vips.arguments = ["rotate", "--", source.path, target.path + "[Q=92]", String(degrees)]
        try vips.run()
        vips.waitUntilExit()
        #expect(vips.terminationStatus == 0, "vips rotate \(source.lastPathComponent)")
    }

    static func share(_ values: [Double], within limit: Double) -> Double {
        Double(values.filter { $0 <= limit }.count) / Double(max(1, values.count))
    }
}
