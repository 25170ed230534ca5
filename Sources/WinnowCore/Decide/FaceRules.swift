/// The face verdicts: no face, several faces (needs a crop), or a face too small for the trainer.
public struct FaceRules: Sendable {
    public var settings: FaceSettings

    public init(settings: FaceSettings = FaceSettings()) { self.settings = settings }

    /// A reject verdict from the face facts, or nil when the faces are fine (or were not measured).
    public func verdict(for facts: ImageFacts) -> Verdict? {
        guard let faces = facts.faces else { return nil }
        if faces.count == 0 { return Verdict(.noFace, reason: "no face found") }
        if faces.count > 1 { return Verdict(.multiFace, reason: "crop needed: \(faces.count) faces") }
        let need = settings.minFaceSide
        guard need > 0 else { return nil }
        let shortSide = min(facts.width, facts.height)
        if shortSide < need {
            return Verdict(.tooSmall, reason: "image \(facts.width)×\(facts.height) is below \(need) px")
        }
        if let region = faceRegionSide(faces, facts), region < need {
            return Verdict(.tooSmall, reason: "face region \(region) px is below \(need) px")
        }
        return nil
    }

    /// Side of the face region (the box doubled: head and a little shoulder), bounded by the image.
    func faceRegionSide(_ faces: FaceFacts, _ facts: ImageFacts) -> Int? {
        guard let box = faces.box, box.count == 4 else { return nil }
        let side = Double(max(box[2], box[3])) * FaceSettings.regionFactor
        return Int(min(side, Double(min(facts.width, facts.height))).rounded())
    }
}
