import Foundation

/// The face stage: finds every face (frontal to profile), picks the main one, measures its pose and
/// expression, and fills `ImageFacts.faces`.
public struct FaceStage: AnalysisStage {
    public let settings: FaceSettings
    public let model: PoseModel
    private let detector: @Sendable () throws -> FaceDetector

    /// `detector` defaults to the process-wide shared one, loaded on first use.
    public init(settings: FaceSettings = FaceSettings(), model: PoseModel = PoseModel(),
                detector: @escaping @Sendable () throws -> FaceDetector = { try FaceDetector.shared }) {
        self.settings = settings
        self.model = model
        self.detector = detector
    }

    public func analyze(_ image: DecodedImage, path: String, facts: inout ImageFacts) throws {
        facts.faces = try analyze(image).facts
    }

    /// Everything the stage found, including the raw detections (for `winnow faces --raw` and evaluation).
    public func analyze(_ image: DecodedImage) throws -> FaceAnalysis {
        // Detect on a copy no larger than `detectionSide`: HOG's cost grows with the pixel count.
        let (gray, width, height) = GrayImage.shrunk(image, maxSide: settings.detectionSide)
        let longSide = Double(max(width, height))
        let detector = try detector()
        let merger = FaceMerger(settings: settings)
        // HOG's window is 80 px: small images (video frames, thumbnails) are enlarged to `hogMinSide` (at most 2×).
        var hogUpsample = min(2, max(1, Double(settings.hogMinSide) / longSide))
        var raw = try detector.frontal(gray: gray, width: width, height: height, upsample: hogUpsample,
                                       hogThreshold: settings.hogMinScore)
        // The profile cascade (two passes, image and mirror): only where it can change the answer — no frontal
        // face at all (a HOG face turned far is binned from its landmarks, see `FaceAnalysis.pose`) — and on a
        // smaller copy (profiles worth training on are large).
        var profile: (hits: [DetectedFace], copy: DetectionCopy)?
        // No face at the cheap size, or only faces near the window's size (a group photo's other faces may be
        // smaller still): look once more, enlarged, for faces below the window. With a face found, only faces at
        // least `minRelativeSide` of it count, so enlarge just enough for HOG to see those (cost grows with the
        // square of the factor); with none, 2× — unless the (cheaper) profile cascade already found a face.
        let largest = merger.merge(raw).first?.detection.box.side
        if largest == nil { profile = try profileFaces(image, detectionWidth: width, detector: detector) }
        let profileFound = !merger.merge(profile?.hits ?? []).isEmpty
        let retryUpsample = min(2, largest.map { settings.retryBelowFaceSide / $0 } ?? 2)
        if retryUpsample > hogUpsample, longSide < Double(settings.upsampleBelow), !profileFound {
            // With no face at all, only the scales the first pass did not search: its smallest faces (level 0)
            // were HOG's window at `hogUpsample`; at `retryUpsample` they sit log(retry / first) / log(6/5) levels
            // up, and one level more overlaps the two searches. (With small faces found, the whole pyramid again:
            // the first pass's hits and the retry's do not mix well — a weak large hit the retry would not repeat.)
            let levels = Int((log(retryUpsample / hogUpsample) / log(6.0 / 5.0)).rounded(.up)) + 1
            raw = try detector.frontal(gray: gray, width: width, height: height, upsample: retryUpsample,
                                       hogThreshold: settings.hogMinScore, pyramidLevels: largest == nil ? levels : nil)
            hogUpsample = retryUpsample
        }
        // The profile cascade also runs where the only face is a weak hit of HOG's turned sub-detectors: on DEV
        // such hits include real side views whose landmarks read as frontal or 3/4 (landmarks fitted far off).
        let firstFaces = merger.merge(raw)
        if firstFaces.isEmpty || (firstFaces.count == 1 && merger.isWeakTurned(firstFaces[0].detection)) {
            if profile == nil { profile = try profileFaces(image, detectionWidth: width, detector: detector) }
            raw += profile?.hits ?? []
        }
        // Last resort, where HOG (enlarged too) and the profile cascade found nothing: dlib's CNN detector, which
        // finds faces HOG misses (strong turns, tilt, occlusion), on a copy small enough to be cheap.
        if merger.merge(raw).isEmpty, settings.cnnSide > 0, detector.hasCNN {
            raw += try cnnFaces(image, detectionWidth: width, detector: detector)
        }
        var faces = merger.merge(raw)
        // Landmarks for the main face only (the one measured).
        if var main = faces.first {
            main.detection.landmarks = try landmarks(of: main, detector: detector, hogCopy: (gray, width, height, hogUpsample),
                                                     profileCopy: profile?.copy)
            faces[0] = main
        }
        // Detection coordinates → full-resolution pixels.
        let toFull = Double(image.fullWidth) / Double(width)
        return FaceAnalysis(faces: faces, raw: raw, scaleToFull: toFull, model: model, settings: settings)
    }
}

extension FaceStage {
    typealias DetectionCopy = (gray: [UInt8], width: Int, height: Int, upsample: Double)

    /// The profile cascade (two passes, image and mirror) on a copy `profileSide` long, its boxes in the detection
    /// copy's pixels (`detectionWidth` wide), and that copy (a profile's landmarks are fitted where it was found).
    func profileFaces(_ image: DecodedImage, detectionWidth: Int,
                      detector: FaceDetector) throws -> (hits: [DetectedFace], copy: DetectionCopy) {
        let (small, smallWidth, smallHeight) = GrayImage.shrunk(image, maxSide: min(settings.profileSide, settings.detectionSide))
        let smallLong = Double(max(smallWidth, smallHeight))
        let upsample = min(2, max(1, Double(settings.profileSide) / smallLong))
        let minProfile = max(24, Int(smallLong * settings.minProfileFraction))
        let back = Double(detectionWidth) / Double(smallWidth)
        let hits = try detector.profiles(gray: small, width: smallWidth, height: smallHeight, upsample: upsample,
                                         minProfileSide: minProfile).map { $0.scaled(by: back) }
        return (hits, (small, smallWidth, smallHeight, upsample))
    }

    /// dlib's CNN detector on a copy `cnnSide` long, its boxes in the detection copy's pixels (`detectionWidth`
    /// wide) and made HOG-like: the CNN's box is tighter and higher than HOG's, the boxes the landmark model was
    /// trained on. On the 84 DEV faces both detectors find (448 px copies), HOG's side is 1.091 × the CNN's
    /// (median) and its centre 0.087 × the CNN's side lower (horizontal offset ~0: mirrors pair up).
    func cnnFaces(_ image: DecodedImage, detectionWidth: Int, detector: FaceDetector) throws -> [DetectedFace] {
        let (small, smallWidth, smallHeight) = GrayImage.shrunk(image, maxSide: settings.cnnSide)
        let back = Double(detectionWidth) / Double(smallWidth)
        return try detector.cnn(gray: small, width: smallWidth, height: smallHeight, threshold: settings.cnnMinScore)
            .map { hit in
                var face = hit.scaled(by: back)
                let c = face.box.center, w = face.box.width * settings.cnnToHogScale
                let h = face.box.height * settings.cnnToHogScale
                let cy = c.y + face.box.width * settings.cnnToHogDrop
                face.box = FaceBox(x: c.x - w / 2, y: cy - h / 2, width: w, height: h)
                return face
            }
    }

    /// The 68 landmarks of `face`, fitted once per hit it was merged from, on the copy and at the scale that hit's
    /// detector saw: the hits' fits averaged keep a mirrored image's face exactly mirrored. One call per copy: the
    /// shim prepares the enlarged image and its mirror once for all the boxes.
    func landmarks(of face: MergedFace, detector: FaceDetector, hogCopy: DetectionCopy,
                   profileCopy: DetectionCopy?) throws -> [Point2] {
        let upright = try landmarks(of: face, roll: 0, detector: detector, hogCopy: hogCopy, profileCopy: profileCopy)
        let roll = PoseFeatures(landmarks: upright).roll
        guard abs(roll) >= settings.levelFitRoll else { return upright }
        return try landmarks(of: face, roll: roll, detector: detector, hogCopy: hogCopy, profileCopy: profileCopy)
    }

    private func landmarks(of face: MergedFace, roll: Double, detector: FaceDetector, hogCopy: DetectionCopy,
                           profileCopy: DetectionCopy?) throws -> [Point2] {
        var fits: [[Point2]] = []
        let profileParts = face.parts.filter { $0.source == .profileImage || $0.source == .profileMirror }
        let hogParts = face.parts.filter { $0.source != .profileImage && $0.source != .profileMirror }
        if let copy = profileCopy, !profileParts.isEmpty {
            fits += try detector.landmarks(gray: copy.gray, width: copy.width, height: copy.height, upsample: copy.upsample,
                                           boxes: profileParts.map { $0.box.scaled(by: 1 / $0.copyScale) },
                                           rolls: profileParts.map { _ in roll })
                .enumerated().map { index, points in
                    let back = profileParts[index].copyScale
                    return points.map { Point2(x: $0.x * back, y: $0.y * back) }
                }
        }
        if !hogParts.isEmpty {
            fits += try detector.landmarks(gray: hogCopy.gray, width: hogCopy.width, height: hogCopy.height,
                                           upsample: hogCopy.upsample, boxes: hogParts.map(\.box),
                                           rolls: hogParts.map { _ in roll })
        }
        return (0..<68).map { i in
            Point2(x: fits.map { $0[i].x }.reduce(0, +) / Double(fits.count),
                   y: fits.map { $0[i].y }.reduce(0, +) / Double(fits.count))
        }
    }
}

/// One face after merging the detectors' hits.
public struct MergedFace: Sendable {
    /// The face's box (the mean of its hits' boxes); landmarks filled in for the main face only.
    public var detection: DetectedFace
    /// The raw hits this face was merged from (one, or a HOG hit and its mirror-pass twin).
    public var parts: [DetectedFace] = []
    /// Yaw fixed by the profile pass that found it, when a profile cascade (not HOG) found the face.
    public var profileYaw: Double?
}

/// The stage's result for one image.
public struct FaceAnalysis: Sendable {
    /// Faces worth counting, largest first.
    public var faces: [MergedFace]
    public var raw: [DetectedFace]
    public var scaleToFull: Double
    public var model: PoseModel
    public var settings: FaceSettings

    public var main: MergedFace? { faces.first }

    public var features: PoseFeatures? { main.map { PoseFeatures(landmarks: $0.detection.landmarks) } }

    public var pose: HeadPose? {
        guard let main, let features else { return nil }
        var pose = model.pose(features)
        if let yaw = main.profileYaw {
            // Landmarks fitted to a profile box are unreliable: the pass that found it gives the side;
            // only keep the landmark yaw when it agrees and is stronger.
            pose.yaw = yaw.sign == pose.yaw.sign && abs(pose.yaw) > abs(yaw) ? pose.yaw : yaw
            pose.pitch = 0
            pose.roll = 0
        } else if abs(pose.yaw) >= settings.profileConfirmYaw {
            // Landmark yaw saturates well before 90° (on DEV every landmark face at ≥ 39.5° is a labelled
            // profile, every three-quarter face ≤ 35°): a face turned this far is a profile, with or without the
            // cascade's word (the LBP cascade does not fire on most faces HOG still finds).
            pose.yaw = (pose.yaw < 0 ? -1 : 1) * max(abs(pose.yaw), settings.profileYaw)
        }
        return pose
    }

    public var facts: FaceFacts {
        guard let main, let pose else { return FaceFacts(count: 0) }
        let box = main.detection.box.scaled(by: scaleToFull)
        func tenth(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        return FaceFacts(
            count: faces.count,
            box: [Int(box.x.rounded()), Int(box.y.rounded()), Int(box.width.rounded()), Int(box.height.rounded())],
            yaw: tenth(pose.yaw), pitch: tenth(pose.pitch), roll: tenth(pose.roll),
            yawBin: pose.yawBin, pitchBin: pose.pitchBin,
            expression: main.profileYaw == nil ? ExpressionCues.measure(main.detection.landmarks) : nil)
    }
}

/// Turns raw hits from HOG and both profile passes into one list of faces.
struct FaceMerger {
    let settings: FaceSettings

    func merge(_ raw: [DetectedFace]) -> [MergedFace] {
        var faces = hogFaces(raw)
        // Profile hits: only where HOG found nothing; the strongest of overlapping hits (either pass) wins.
        let profiles = raw.filter { ($0.source == .profileImage || $0.source == .profileMirror) && $0.score >= Double(settings.profileMinNeighbours) }
            .sorted { $0.score > $1.score }
        // A weak turned HOG hit the cascade also found is a side view: the cascade's pass gives its side.
        for index in faces.indices where isWeakTurned(faces[index].detection) {
            if let hit = profiles.first(where: { $0.box.overlap(faces[index].detection.box) > 0.5 }) {
                faces[index].profileYaw = side(of: hit) * settings.profileYaw
            }
        }
        for hit in profiles where !faces.contains(where: { $0.detection.box.overlap(hit.box) > 0.3 }) {
            faces.append(MergedFace(detection: hit, parts: [hit], profileYaw: side(of: hit) * settings.profileYaw))
        }
        // CNN hits: only where neither HOG nor the profile cascade found a face (the stage runs the CNN only then).
        if faces.isEmpty {
            let cnn = raw.filter { $0.source == .cnn && $0.score >= settings.cnnMinScore }
            faces = cnn.map { MergedFace(detection: $0, parts: [$0], profileYaw: nil) }
        }
        faces.sort { $0.detection.box.area > $1.detection.box.area }
        // Background faces much smaller than the main one do not make a "multi-face" image.
        guard let mainSide = faces.first?.detection.box.side else { return [] }
        return faces.filter { $0.detection.box.side >= mainSide * settings.minRelativeSide }
    }

    /// A HOG face below dlib's own threshold from a sub-detector for turned faces (1 or 2).
    func isWeakTurned(_ face: DetectedFace) -> Bool {
        face.source == .hog && face.score < settings.weakHogScore && (face.subdetector == 1 || face.subdetector == 2)
    }

    /// HOG hits from the image and the mirror pass, one per face. Where both passes found a face, their boxes
    /// are averaged, and so are the landmarks fitted in each: a mirrored image then gives exactly the mirrored
    /// face (the DEV set's mirrored pairs caught bins flipping on a few pixels of box difference).
    private func hogFaces(_ raw: [DetectedFace]) -> [MergedFace] {
        let hits = raw.filter { ($0.source == .hog || $0.source == .hogMirror) && $0.score >= settings.hogMinScore }
        var faces: [MergedFace] = []
        var used = Set<Int>()
        // Strongest first; ties broken by position so the order does not depend on the pass.
        let order = hits.indices.sorted { (hits[$0].score, hits[$0].box.x) > (hits[$1].score, hits[$1].box.x) }
        for i in order where !used.contains(i) {
            let cluster = order.filter { !used.contains($0) && hits[$0].box.overlap(hits[i].box) > 0.5 }
            used.formUnion(cluster)
            let direct = cluster.first { hits[$0].source == .hog }.map { hits[$0] }
            let mirrored = cluster.first { hits[$0].source == .hogMirror }.map { hits[$0] }
            guard let a = direct ?? mirrored, let b = mirrored ?? direct else { continue }
            faces.append(MergedFace(detection: Self.average(a, b), parts: a == b ? [a] : [a, b], profileYaw: nil))
        }
        return faces
    }

    static func average(_ a: DetectedFace, _ b: DetectedFace) -> DetectedFace {
        func mid(_ x: Double, _ y: Double) -> Double { (x + y) / 2 }
        return DetectedFace(
            box: FaceBox(x: mid(a.box.x, b.box.x), y: mid(a.box.y, b.box.y),
                         width: mid(a.box.width, b.box.width), height: mid(a.box.height, b.box.height)),
            source: .hog, score: max(a.score, b.score), subdetector: a.subdetector)
    }

    /// +1 when the pass that found `hit` sees faces turned toward the image's left, else −1.
    private func side(of hit: DetectedFace) -> Double { hit.source == ProfileCascade.imagePassSide ? 1 : -1 }
}

/// Which way OpenCV's `lbpcascade_profileface.xml` looks (like the Haar one), checked on the DEV profiles (real
/// left and right side views, not only mirrors): it fires on faces whose nose points to the image's left, so the
/// mirror pass finds the right-facing ones.
enum ProfileCascade {
    /// The pass whose hits have the nose toward the image's left (yaw > 0).
    static let imagePassSide: DetectedFace.Source = .profileImage
}

/// The gray copy detection runs on.
enum GrayImage {
    /// Luminance of `image`, box-filtered down so the long side is at most `maxSide`.
    static func shrunk(_ image: DecodedImage, maxSide: Int) -> ([UInt8], Int, Int) {
        let gray = image.gray
        let longSide = max(image.width, image.height)
        guard longSide > maxSide else { return (gray, image.width, image.height) }
        let scale = Double(maxSide) / Double(longSide)
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        var out = [UInt8](repeating: 0, count: width * height)
        let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
        gray.withUnsafeBufferPointer { src in
            for y in 0..<height {
                let y0 = Int(Double(y) * sy), y1 = max(y0 + 1, min(image.height, Int(Double(y + 1) * sy)))
                for x in 0..<width {
                    let x0 = Int(Double(x) * sx), x1 = max(x0 + 1, min(image.width, Int(Double(x + 1) * sx)))
                    var sum = 0
                    for yy in y0..<y1 { for xx in x0..<x1 { sum += Int(src[yy * image.width + xx]) } }
                    out[y * width + x] = UInt8(sum / ((y1 - y0) * (x1 - x0)))
                }
            }
        }
        return (out, width, height)
    }
}
