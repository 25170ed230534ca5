import Foundation

/// The few numbers the blur/upscale decision is made from, derived from a `DetailSpectrum`
/// (log10 units of whitened power; 0 = as strong as at 0.06–0.12 cycles per pixel).
/// `scripts/fit_quality.py` fits `DetailModel` on these, as `winnow scan --json` reports them.
public struct DetailFeatures: Sendable, Equatable, Codable {
    /// High band (0.31–0.47 cycles/px) of the tiles: 90th percentile and median over tiles. The sharpest
    /// tile of a soft image is still soft; a sharp photo has some tiles with detail up to Nyquist.
    public var hf90: Double
    public var hf50: Double
    /// The same for the middle band (0.19–0.28 cycles/px).
    public var mid90: Double
    public var mid50: Double
    /// Steepest drop of the mean profile between neighbouring 3-ring windows (an upscale's cliff).
    public var cliff: Double
    /// Median over tiles of the spread between orientations of (high band − low band): motion blur
    /// removes the detail along its direction only.
    public var aniso: Double
    /// Mean profile at 0.19, 0.25, 0.31, 0.38, 0.44 cycles/px (two rings each): where the detail ends.
    public var a12: Double
    public var a16: Double
    public var a20: Double
    public var a24: Double
    public var a28: Double
    /// Motion blur (8 orientations, tiles' power together): per orientation the gain of whitened power from
    /// rings 1–2 to rings 8–15; the median orientation's gain (low: detail lost in most directions, as any
    /// blur does) and how far the best orientation stands above it (high: one direction kept, as only a
    /// motion blur does — the content's own orientation shows in both bands and cancels).
    public var gainMedian: Double
    public var gainSpread: Double
    /// ×2 upscale: per tile the drop of the square-ring profile from 0.19–0.23 to 0.28–0.33 cycles/px
    /// (across 1/4, where a ×2 upscale keeps nothing on either axis); its 25th percentile over tiles
    /// (a sharp photo has tiles whose detail runs on smoothly; an upscale's cliff is in every tile).
    public var squareCliff: Double
    /// Upscales by a whole factor: per period of `ResamplingPeriods.periods` (2, 3, 4), how coherent each
    /// frequency is with its shift by 1/period cycle per pixel: near 1 when every tile holds the same
    /// fixed ratio between them (a picture interpolated to that many times its size), near 0 for a real one.
    public var periodCoherence: [Double]?

    /// Names in model order, as `winnow scan --json` spells them (the fit script uses the same).
    public static let names = ["hf90", "hf50", "mid90", "mid50", "cliff", "aniso", "a12", "a16", "a20", "a24", "a28",
                               "gain_median", "gain_spread", "square_cliff"]

    public var vector: [Double] {
        [hf90, hf50, mid90, mid50, cliff, aniso, a12, a16, a20, a24, a28, gainMedian, gainSpread, squareCliff]
    }

    /// Nil when the image has no full tile (smaller than 64 px).
    public init?(_ spectrum: DetailSpectrum) {
        guard !spectrum.tiles.isEmpty else { return nil }
        let profiles = spectrum.tiles.map { DetailSpectrum.whitened($0.rings) }
        let high = profiles.map { Self.mean($0[20..<30]) }
        let middle = profiles.map { Self.mean($0[12..<18]) }
        hf90 = Self.percentile(high, 90)
        hf50 = Self.percentile(high, 50)
        mid90 = Self.percentile(middle, 90)
        mid50 = Self.percentile(middle, 50)
        let profile = spectrum.profile
        var steepest = -Double.infinity
        for c in 9...28 { steepest = max(steepest, Self.mean(profile[(c - 3)..<c]) - Self.mean(profile[c..<(c + 3)])) }
        cliff = steepest
        let spreads = spectrum.tiles.map { tile -> Double in
            let gains = (0..<DetailSpectrum.sectorCount).map {
                log10(tile.sectorHigh[$0] + 1e-3) - log10(tile.sectorLow[$0] + 1e-3)
            }
            return (gains.max() ?? 0) - (gains.min() ?? 0)
        }
        aniso = Self.percentile(spreads, 50)
        func pair(_ r: Int) -> Double { (profile[r] + profile[r + 1]) / 2 }
        a12 = pair(12); a16 = pair(16); a20 = pair(20); a24 = pair(24); a28 = pair(28)

        let count = Double(spectrum.tiles.count)
        let gains = (0..<DetailSpectrum.sectorCount).map { s -> Double in
            let low = spectrum.tiles.reduce(0) { $0 + $1.directionLow[s] } / count
            let mid = spectrum.tiles.reduce(0) { $0 + $1.directionMid[s] } / count
            return log10(max(mid, 1e-6)) - log10(max(low, 1e-6))
        }
        gainMedian = Self.percentile(gains, 50)
        gainSpread = (gains.max() ?? 0) - gainMedian
        let cliffs = spectrum.tiles.map { tile -> Double in
            let w = tile.squareRings.enumerated().map {
                log10(max($0.element, 1e-3) * pow(DetailSpectrum.ringFrequency($0.offset), 2))
            }
            return Self.mean(w[12..<15]) - Self.mean(w[18..<21])
        }
        squareCliff = Self.percentile(cliffs, 25)
        periodCoherence = ResamplingPeriods.coherence(spectrum.tiles.map(\.periodSums))
    }

    /// Where the mean profile first falls below `floor` (searching upward from 0.12 cycles/px), as a
    /// share of Nyquist: the frequency up to which the image carries real detail.
    public static func detailShare(_ profile: [Double], floor: Double) -> Double {
        guard profile.count == DetailSpectrum.ringCount else { return 1 }
        for r in 8..<DetailSpectrum.ringCount where profile[r] < floor {
            // Interpolate between the ring centres on either side of the crossing.
            let above = profile[r - 1], below = profile[r]
            let t = above > below ? min(1, max(0, (above - floor) / (above - below))) : 0
            return (Double(r - 1) + 0.5 + t) / Double(DetailSpectrum.ringCount)
        }
        return 1
    }

    static func mean(_ values: ArraySlice<Double>) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }

    /// Linear-interpolated percentile (numpy's default), so the fit script and the product agree.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let position = p / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(sorted.count - 1, low + 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
