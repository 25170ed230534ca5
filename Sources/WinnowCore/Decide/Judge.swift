/// Turns measured facts into a verdict. The user's own decision always wins over this.
public struct Judge: Sendable {
    public var faceRules: FaceRules

    public init(faces: FaceSettings = FaceSettings()) {
        self.faceRules = FaceRules(settings: faces)
    }

    /// The verdict from the image's own facts (duplicates are decided by `DuplicateGrouping`/the index first).
    public func verdict(for facts: ImageFacts) -> Verdict {
        if let verdict = faceRules.verdict(for: facts) { return verdict }
        guard let quality = facts.quality else { return Verdict(.kept) }
        let detail = quality.detailPixels.map { "detail ≈ \($0) px of \(facts.longSide) px" }
        if quality.upscaled { return Verdict(.upscaled, reason: detail) }
        if quality.blurry { return Verdict(.blurry, reason: detail) }
        return Verdict(.kept)
    }
}
