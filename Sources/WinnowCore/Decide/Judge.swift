/// Turns measured facts into a verdict. The user's own decision always wins over this.
public struct Judge: Sendable {
    public var faceRules: FaceRules

    public init(faces: FaceSettings = FaceSettings()) {
        self.faceRules = FaceRules(settings: faces)
    }

    public func verdict(for facts: ImageFacts) -> Verdict {
        if let verdict = faceRules.verdict(for: facts) { return verdict }
        return Verdict(.kept)
    }
}
