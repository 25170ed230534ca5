import Foundation

/// Turns `DetailFeatures` into `blurry`, `upscaled` and `detail_px`.
///
/// Fitted on the DEV corpus by `scripts/fit_quality.py` (leave-sources-out cross-validation; the script
/// prints these constants). A picture interpolated to 2, 3 or 4 times its size is recognised by the
/// repetition of its spectrum (`ResamplingPeriods`, thresholds set by hand). Apart from that, three
/// logistic detectors, each trained against DEV's sharp files on the damage it knows, from the few
/// features that damage shows in (zero weights elsewhere): `soft` (a smooth roll-off: gaussian blur),
/// `motion` (detail kept in one direction only) and `doubled` (the square cliff at 1/4 cycle per pixel of
/// a ×2 upscale). The image is soft when any detector's score is above 0; each bias is shifted so that
/// only a fixed small share of DEV's sharp files score above 0 — a sharp file wrongly set aside costs the
/// user a good image, so that budget is fixed first. Which kind of soft: the `doubled` detector means
/// upscaled and `motion` blurry; for `soft`, a logistic score that tells an upscale's cliff from a blur's
/// smooth roll-off (an upscale by another ratio has no period to find).
public struct DetailModel: Sendable, Equatable {
    /// A linear score over `DetailFeatures.vector`.
    public struct Score: Sendable, Equatable {
        public var bias: Double
        public var weights: [Double]
        public init(bias: Double, weights: [Double]) { self.bias = bias; self.weights = weights }
        public func callAsFunction(_ features: DetailFeatures) -> Double {
            zip(weights, features.vector).reduce(bias) { $0 + $1.0 * $1.1 }
        }
    }

    public var soft: Score
    public var motion: Score
    public var doubled: Score
    /// > 0: upscaled, else blurry (for images the `soft` detector flags).
    public var upscale: Score
    /// The whitened level (log10) below which a ring no longer counts as real detail (`detail_px`).
    public var detailFloor: Double
    /// Per period p of `ResamplingPeriods.periods`, the coherence (`DetailFeatures.periodCoherence`) a
    /// picture needs at 1/p cycle per pixel to count as interpolated p times its size: upscaled whatever
    /// its spectrum's shape (a bicubic upscale leaves too soft a cliff for the detectors to see).
    public var periodCoherence: [Double]

    public init(soft: Score = Fitted.soft, motion: Score = Fitted.motion, doubled: Score = Fitted.doubled,
                upscale: Score = Fitted.upscale, detailFloor: Double = Fitted.detailFloor,
                periodCoherence: [Double] = Fitted.periodCoherence) {
        self.soft = soft
        self.motion = motion
        self.doubled = doubled
        self.upscale = upscale
        self.detailFloor = detailFloor
        self.periodCoherence = periodCoherence
    }

    /// The whole factor p a picture was interpolated by, if any: the largest p whose coherence reaches
    /// `periodCoherence` and is at least twice the coherence at each tested period that does not divide p.
    /// An upscale by 3 repeats nothing every 1/2 or 1/4 cycle; a picture that repeats at every period was
    /// resampled by some other ratio, and how much real detail it holds is not known.
    public func upscaleFactor(_ features: DetailFeatures) -> Int? {
        guard let coherence = features.periodCoherence, coherence.count == ResamplingPeriods.periods.count else { return nil }
        let periods = ResamplingPeriods.periods
        return periods.indices.filter { i in
            coherence[i] >= periodCoherence[i]
                && periods.indices.allSatisfy { j in periods[i] % periods[j] == 0 || coherence[i] >= 2 * coherence[j] }
        }.map { periods[$0] }.max()
    }

    /// Constants printed by `scripts/fit_quality.py` (DEV, seed 1, 864 files, sharp-flag budget 0.008).
    public enum Fitted {
        public static let soft = Score(
            bias: -11.689,
            weights: [-0.16787, 0, 0, -2.0131, 2.0227, 0, 0,
                      0, 0, 0, 0, -2.9676, 0, 0])
        public static let motion = Score(
            bias: -12.331,
            weights: [0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 0, -4.207, 6.6191, 0])
        public static let doubled = Score(
            bias: -7.0201,
            weights: [0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 0, 0, 0, 11.874])
        public static let upscale = Score(
            bias: 0.54266,
            weights: [-2.7684, -1.264, 0.5457, 1.9435, -0.18188, 0, 2.1066,
                      2.0838, 0.43658, -1.966, -0.77035, 0, 0, 0])
        public static let detailFloor = -0.6
        /// Set by hand in the gaps DEV leaves (`winnow scan --json`'s `period_coherence`, at periods 2 / 3 / 4):
        /// its upscales read 0.14–0.81 at 2 (×2), 0.15–0.90 at 3 (×3), 0.26–0.90 at 4 (×4); its blurs at
        /// most 0.07 / 0.05 / 0.14; its 616 sharp files at most 0.24 / 0.25 / 0.27, and the six of them over
        /// a threshold (224–512 px video frames) read alike at every period, which `upscaleFactor` sets
        /// apart. Periods 2 and 4 need more: JPEG's blocks repeat at 2/8 and 4/8 cycle.
        public static let periodCoherence = [0.25, 0.12, 0.25]
    }

    public struct Assessment: Sendable, Equatable {
        /// Estimated long side of the real detail (the full long side when the image is sharp).
        public var detailPixels: Int
        public var blurry: Bool
        public var upscaled: Bool
        /// Higher is sharper: the middle-band level (comparable between copies of one picture).
        public var sharpness: Double
    }

    public func assess(_ spectrum: DetailSpectrum, longSide: Int) -> Assessment {
        guard let features = DetailFeatures(spectrum) else {
            // Under one tile: too small to judge; the too-small rule deals with such images.
            return Assessment(detailPixels: longSide, blurry: false, upscaled: false, sharpness: 0)
        }
        let scores = [soft(features), motion(features), doubled(features)]
        let strongest = scores.indices.max { scores[$0] < scores[$1] } ?? 0
        let factor = upscaleFactor(features)
        guard scores[strongest] > 0 || factor != nil else {
            return Assessment(detailPixels: longSide, blurry: false, upscaled: false, sharpness: features.mid50)
        }
        let upscaled = factor != nil || strongest == 2 || (strongest == 0 && upscale(features) > 0)
        let share = DetailFeatures.detailShare(spectrum.profile, floor: detailFloor)
        // An upscale by p keeps detail up to 1/p of Nyquist at most, however its profile reads (`doubled`
        // sees a ×2 upscale's cliff).
        let limit = factor.map { 1 / Double($0) } ?? (strongest == 2 ? 0.5 : 1)
        let detail = max(1, Int((Double(longSide) * min(share, limit)).rounded()))
        return Assessment(detailPixels: detail, blurry: !upscaled, upscaled: upscaled, sharpness: features.mid50)
    }
}
