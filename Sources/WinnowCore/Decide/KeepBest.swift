import Foundation

/// Picks the copy to keep in a near-duplicate group: the most real detail wins (an upscale loses to a
/// smaller original), then sharp over soft, then more pixels; copies equal on all of that are told
/// apart by which is closest to all the others (the original every copy was made from).
public enum KeepBest {
    /// Detail estimates within this ratio count as equal (the estimate is coarse).
    static let detailTolerance = 0.9

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
        finalists = finalists.filter { pixels[$0] >= most * 0.97 }
        if finalists.count == 1 { return finalists[0] }
        // The medoid: the copy every other was made from differs least from all of them.
        let looks = members.map { $0.quality?.lookBytes }
        var best = finalists[0], bestScore = Double.infinity
        for i in finalists {
            guard let li = looks[i] else { continue }
            var score = 0.0
            for j in members.indices where j != i {
                guard let lj = looks[j] else { continue }
                score += SecondLook.compare(li, lj).meanBlock
            }
            if score < bestScore { bestScore = score; best = i }
        }
        return best
    }
}
