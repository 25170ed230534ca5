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
/// Thresholds tuned on DEV (`scripts/eval-quality`).
public struct NearDuplicatePolicy: Sendable, Equatable {
    /// pHash radius for candidates (a generous net: the second look decides).
    public var candidateRadius: Int = 22
    public var minCoverage: Double = 0.75
    public var minCorrelation: Double = 0.90
    public var maxWorstBlock: Double = 0.60
    public var maxSecondBlock: Double = 0.45
    public var maxMeanBlock: Double = 0.25

    public init() {}

    /// Hash-level candidate test; `nil` when the hashes are too far apart to be worth a second look.
    public func candidateDistance(_ a: QualityFacts, _ b: QualityFacts) -> (direct: Int?, mirrored: Int?) {
        guard let pa = a.phash.flatMap(UInt64.init(hex:)), let pb = b.phash.flatMap(UInt64.init(hex:)) else { return (nil, nil) }
        let direct = pa.distance(to: pb)
        let mirrored = a.phashMirror.flatMap(UInt64.init(hex:)).map { $0.distance(to: pb) }
        return (direct <= candidateRadius ? direct : nil, mirrored.flatMap { $0 <= candidateRadius ? $0 : nil })
    }

    public func accepts(_ c: LookComparison) -> Bool {
        c.coverage >= minCoverage && c.correlation >= minCorrelation && c.worstBlock <= maxWorstBlock
            && c.secondBlock <= maxSecondBlock && c.meanBlock <= maxMeanBlock
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
