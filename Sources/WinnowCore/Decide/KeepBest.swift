/// Picks the copy to keep in a near-duplicate group: the one with the most real detail.
///
/// In order: the most real detail (an upscale loses to a smaller original, a blurred copy to a sharp
/// one), then not flagged blurry/upscaled, then the most pixels (a resized-down copy loses), then the
/// highest JPEG quality within a margin (a copy re-saved at a clearly lower quality is a later
/// generation: its block noise can lift the middle band, never the real detail), then the sharpest
/// middle band (a blurred frame of a burst that was not flagged still loses). Copies equal on
/// all of that are told apart by which is closest to all the others (the original every copy was made
/// from: a watermark or a brightness change moves a copy away from the rest), then by file size within
/// the most common format (at one quality, lost detail compresses better; a PNG re-save of a JPEG is
/// bigger but no better, so sizes are only compared within a format).
public enum KeepBest {
    /// Detail estimates within this ratio count as equal (the estimate is coarse).
    static let detailTolerance = 0.9
    /// Pixel counts within this ratio count as equal (a 2–8 % crop is still the full picture).
    static let pixelTolerance = 0.97
    /// Middle-band levels (log10) this close count as equal: JPEG noise alone lifts a re-save by up to
    /// ~0.2 on DEV, a blur lowers it by more.
    static let sharpnessTolerance = 0.3
    /// JPEG quality estimates this close count as equal (re-saves at the same setting read ±a few).
    static let jpegQualityTolerance = 10
    /// Medoid scores within this ratio count as equal.
    static let medoidTolerance = 1.02

    /// Index of the copy to keep among `members` (non-empty).
    public static func choose(_ members: [ImageFacts]) -> Int {
        precondition(!members.isEmpty)
        let detail = members.map { Double($0.quality?.detailPixels ?? $0.longSide) }
        let top = detail.max() ?? 0
        var finalists = members.indices.filter { detail[$0] >= top * detailTolerance }
        let sharp = finalists.filter { !(members[$0].quality?.blurry ?? false) && !(members[$0].quality?.upscaled ?? false) }
        if !sharp.isEmpty { finalists = sharp }
        let pixels = members.map { Double($0.width * $0.height) }
        let most = finalists.map { pixels[$0] }.max() ?? 0
        finalists = finalists.filter { pixels[$0] >= most * pixelTolerance }
        if let highest = finalists.compactMap({ members[$0].quality?.jpegQuality }).max() {
            // Copies that are not JPEG (no estimate) stay: quality tables only compare JPEGs.
            finalists = finalists.filter { (members[$0].quality?.jpegQuality ?? highest) >= highest - jpegQualityTolerance }
        }
        let sharpness = members.map { $0.quality?.sharpness ?? 0 }
        let sharpest = finalists.map { sharpness[$0] }.max() ?? 0
        finalists = finalists.filter { sharpness[$0] >= sharpest - sharpnessTolerance }
        if finalists.count == 1 { return finalists[0] }
        // The medoid: the copy every other was made from differs least from all of them.
        let looks = members.map { $0.quality?.lookBytes.map(SecondLook.Prepared.init) }
        // A finalist whose partial score already exceeds a complete one by the tolerance cannot tie
        // (scores only grow): it is set aside without the rest of its comparisons. The likeliest medoid,
        // by hash distance to the others, is scored first, so that the rest are set aside early.
        let hashes = members.map { $0.quality?.phash.flatMap(UInt64.init(hex:)) }
        func hashSpread(_ i: Int) -> Int {
            guard let hi = hashes[i] else { return .max }
            return hashes.reduce(0) { $0 + ($1.map { hi.distance(to: $0) } ?? 64) }
        }
        var bestComplete = Double.infinity
        var scores = [Double](repeating: .infinity, count: finalists.count)
        for f in finalists.indices.sorted(by: { hashSpread(finalists[$0]) < hashSpread(finalists[$1]) }) {
            let i = finalists[f]
            guard let li = looks[i] else { continue }
            var score = 0.0
            for j in members.indices where j != i {
                guard let lj = looks[j] else { continue }
                score += SecondLook.meanBlock(li, lj)
                if score > bestComplete * medoidTolerance { score = .infinity; break }
            }
            if score < bestComplete { bestComplete = score }
            scores[f] = score
        }
        let lowest = scores.min() ?? .infinity
        var tied = finalists.indices.filter { scores[$0] <= lowest * medoidTolerance || scores[$0] == lowest }
            .map { finalists[$0] }
        var formats: [String: Int] = [:]
        for i in tied { formats[members[i].format, default: 0] += 1 }
        if let common = formats.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key {
            tied = tied.filter { members[$0].format == common }
        }
        return tied.max { members[$0].byteCount < members[$1].byteCount } ?? finalists[0]
    }
}
