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
