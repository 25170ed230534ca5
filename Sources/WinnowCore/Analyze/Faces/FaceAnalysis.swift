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
