import ArgumentParser
import Foundation
import WinnowCore

/// Runs only the face stage on files, without touching the journal or the library.
/// `scripts/eval-faces` and `scripts/bench-faces` drive the real binary through it.
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Find the faces in images and print their angle bins (reads only; moves nothing)."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "Image files.", completion: .file()) var files: [String]
    @Flag(help: "Print one JSON object per line.") var json = false
    @Flag(help: "With --json: add every raw detection and the pose features (for evaluation).") var raw = false

    struct Line: Encodable {
        var file: String
        var error: String?
        var faces: Int?
        var faceBox: [Int]?
        var yaw: Double?
        var pitch: Double?
        var roll: Double?
        var yawBin: String?
        var pitchBin: String?
        var expression: FaceFacts.Expression?
        /// Face stage alone (detection copy, detection, landmarks, pose), milliseconds.
        var faceMs: Double?
        /// The same span in CPU time of this thread (what a busy, shared machine does not inflate).
        var faceCpuMs: Double?
        var decodeMs: Double?
        var features: PoseFeatures?
        /// The main face's 68 landmarks as x0, y0, x1, y1, … in detection-copy pixels (for fitting the pose model).
        var landmarks: [Double]?
        /// The main face's detector (`hog`, `profile-image`, …) and the yaw its profile pass fixed, if any.
        var mainSource: String?
        var profileYaw: Double?
        var detections: [Detection]?
    }

    struct Detection: Encodable {
        var source: String
        var score: Double
        var subdetector: Int?
        var box: [Int]
    }

    /// CPU seconds this thread has used.
    static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    func run() throws {
        let settings = try config.load()
        let stage = FaceStage(settings: settings.analysis.faces)
        do { _ = try FaceDetector.shared } catch { throw CLIError("\(error)") }
        var failed = false
        for file in files {
            var line = Line(file: file)
            do {
                let start = DispatchTime.now()
                let image = try DecodedImage.load(path: file, maxSide: settings.analysis.workingSide,
                                                  maxPixels: settings.analysis.maxPixels)
                let decoded = DispatchTime.now()
                let cpuStart = Self.threadCPUTime()
                let analysis = try stage.analyze(image)
                let facts = analysis.facts
                let done = DispatchTime.now()
                line.faceCpuMs = (Self.threadCPUTime() - cpuStart) * 1000
                line.decodeMs = Double(decoded.uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
                line.faceMs = Double(done.uptimeNanoseconds - decoded.uptimeNanoseconds) / 1e6
                line.faces = facts.count
                line.faceBox = facts.box
                line.yaw = facts.yaw
                line.pitch = facts.pitch
                line.roll = facts.roll
                line.yawBin = facts.yawBin?.rawValue
                line.pitchBin = facts.pitchBin?.rawValue
                line.expression = facts.expression
                if raw {
                    line.features = analysis.features
                    if let main = analysis.main {
                        line.landmarks = main.detection.landmarks.flatMap { [($0.x * 10).rounded() / 10, ($0.y * 10).rounded() / 10] }
                        line.mainSource = main.detection.source.rawValue
                        line.profileYaw = main.profileYaw
                    }
                    line.detections = analysis.raw.map { face in
                        let box = face.box.scaled(by: analysis.scaleToFull)
                        return Detection(source: face.source.rawValue, score: face.score, subdetector: face.subdetector,
                                         box: [box.x, box.y, box.width, box.height].map { Int($0.rounded()) })
                    }
                }
            } catch {
                line.error = "\(error)"
                failed = true
            }
            if json {
                try Output.json(line)
            } else if let error = line.error {
                print("\(file): error: \(error)")
            } else if line.faces == 0 {
                print("\(file): no face")
            } else {
                let angle = String(format: "yaw %+.0f° pitch %+.0f° roll %+.0f°", line.yaw ?? 0, line.pitch ?? 0, line.roll ?? 0)
                print("\(file): \(line.faces!) face(s), \(line.yawBin ?? "?") \(line.pitchBin ?? "?") (\(angle))")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
