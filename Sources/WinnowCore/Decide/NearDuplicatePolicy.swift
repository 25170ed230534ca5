import Foundation

/// How two analysed images relate, after the hash lookup and the second look.
public enum PairRelation: Sendable, Equatable {
    /// The same picture (re-saved, resized, cropped a little, watermarked, blurred or upscaled copy).
    case copy(LookComparison)
    /// The same picture mirrored: reported, never merged.
    case mirror(LookComparison)
    case distinct
}

/// Decides whether two images are copies of one picture. The hash finds candidates cheaply; the
/// second look (aligned looks, worst block) keeps distinct shots of one person apart.
/// Thresholds chosen on DEV by leave-sources-out cross-validation (`scripts/cv_near_duplicates.py`):
/// the most files linked to their group with no look-alike pair accepted on the training folds.
public struct NearDuplicatePolicy: Sendable, Equatable {
    /// pHash radius for candidates: a generous net (the second look decides). On DEV every copy lies
    /// within 16 of some copy of its group; past 18 the candidates are almost all unrelated pictures
    /// (dark or flat ones), which only cost second looks.
    public var candidateRadius: Int = 18
    /// Share of each look the other must cover. A copy is cropped a little (DEV's crops remove 2–8 %
    /// of the frame and leave ≥ 0.88 covered both ways); a 78 % window of a photo (a burst frame, a
    /// re-framing) covers under 0.68 of it and is another picture, not a copy to set aside.
    public var minCoverage: Double = 0.75
    /// What most of the picture says: copies differ by resampling, blur and re-encoding noise only.
    public var maxMedianBlock: Double = 0.040
    /// The worst small block inside the border ring: a new expression, gaze or pose shows here; a
    /// watermark near an edge does not count against a copy.
    public var maxInnerWorstBlock: Double = 0.336

    public init() {}

    /// Hash-level candidate test; `nil` when the hashes are too far apart to be worth a second look.
    public func candidateDistance(_ a: QualityFacts, _ b: QualityFacts) -> (direct: Int?, mirrored: Int?) {
        guard let pa = a.phash.flatMap(UInt64.init(hex:)), let pb = b.phash.flatMap(UInt64.init(hex:)) else { return (nil, nil) }
        let direct = pa.distance(to: pb)
        let mirrored = a.phashMirror.flatMap(UInt64.init(hex:)).map { $0.distance(to: pb) }
        return (direct <= candidateRadius ? direct : nil, mirrored.flatMap { $0 <= candidateRadius ? $0 : nil })
    }

    public func accepts(_ c: LookComparison) -> Bool {
        min(c.coverage, c.coverageOfB) >= minCoverage && c.medianBlock <= maxMedianBlock && c.innerWorstBlock <= maxInnerWorstBlock
    }

    /// The full judgement of one pair (hash net, then second look, direct and mirrored).
    public func relation(_ a: QualityFacts, _ b: QualityFacts) -> PairRelation {
        guard let la = a.lookBytes, let lb = b.lookBytes, la.count == lb.count else { return .distinct }
        let (direct, mirrored) = candidateDistance(a, b)
        if direct != nil {
            let comparison = SecondLook.compare(la, lb)
            if accepts(comparison) { return .copy(comparison) }
        }
        if mirrored != nil {
            let comparison = SecondLook.compare(SecondLook.mirrored(la), lb)
            if accepts(comparison) { return .mirror(comparison) }
        }
        return .distinct
    }
}
