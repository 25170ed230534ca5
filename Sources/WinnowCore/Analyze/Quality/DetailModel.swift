import Foundation

/// Turns `DetailFeatures` into `blurry`, `upscaled` and `detail_px`.
///
/// Fitted on the DEV corpus by `scripts/fit_quality.py` (leave-sources-out cross-validation; the script
/// prints these constants). Three logistic detectors, each trained against DEV's sharp files on the
/// damage it knows, from the few features that damage shows in (zero weights elsewhere): `soft` (a smooth roll-off: gaussian blur, upscales by
/// 3 or more), `motion` (detail kept in one direction only) and `doubled` (the square cliff at 1/4 cycle
/// per pixel of a ×2 upscale). The image is soft when any detector's score is above 0; each bias is
/// shifted so that only a fixed small share of DEV's sharp files score above 0 — a sharp file wrongly set
/// aside costs the user a good image, so that budget is fixed first. Which kind of soft: the `doubled`
/// detector means upscaled and `motion` blurry; for `soft`, a logistic score that tells an upscale's
/// cliff from a blur's smooth roll-off. Apart from these, a picture interpolated to twice its size is
/// recognised by the fixed ratio between each frequency and its half-cycle shift (`halfShiftCoherence`).
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
    /// A picture interpolated to twice its size (`DetailFeatures.halfShiftCoherence` at or above this) is
    /// upscaled, whatever its spectrum's shape: a bicubic ×2 upscale leaves no cliff for `doubled` to see.
    public var interpolatedCoherence: Double

    public init(soft: Score = Fitted.soft, motion: Score = Fitted.motion, doubled: Score = Fitted.doubled,
                upscale: Score = Fitted.upscale, detailFloor: Double = Fitted.detailFloor,
                interpolatedCoherence: Double = Fitted.interpolatedCoherence) {
        self.soft = soft
        self.motion = motion
        self.doubled = doubled
        self.upscale = upscale
        self.detailFloor = detailFloor
        self.interpolatedCoherence = interpolatedCoherence
    }

    /// Constants printed by `scripts/fit_quality.py` (DEV, seed 1, 864 files, sharp-flag budget 0.008).
    public enum Fitted {
        public static let soft = Score(
            bias: -11.151,
            weights: [-1.7642, 0, 0, -1.6416, 4.0328, 0, 0,
                      0, 0, 0, 0, -0.88101, 0, 0])
        public static let motion = Score(
            bias: -11.916,
            weights: [0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 0, -3.9317, 6.5541, 0])
        public static let doubled = Score(
            bias: -7.0079,
            weights: [0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, 0, 0, 0, 12.994])
        public static let upscale = Score(
            bias: 1.0046,
            weights: [-2.7053, -0.71726, -0.48859, 2.8701, 0.27808, 0, 2.5392,
                      3.1968, 0.40487, -3.2939, -1.1808, 0, 0, 0])
        public static let detailFloor = -0.6
        /// Set by hand in the gap DEV leaves (`winnow scan --json`'s `half_shift_coherence`): its ×2
        /// bicubic upscales read 0.34–0.79 (×2 Lanczos 0.14–0.49), its 616 sharp files 0–0.24 (the top
        /// ones 224–512 px photos, few tiles), every other kind of file under 0.32 (×4 bicubic upscales,
        /// also upscales).
        public static let interpolatedCoherence = 0.29
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
        let interpolated = (features.halfShiftCoherence ?? 0) >= interpolatedCoherence
        guard scores[strongest] > 0 || interpolated else {
            return Assessment(detailPixels: longSide, blurry: false, upscaled: false, sharpness: features.mid50)
        }
        let twice = interpolated || strongest == 2
        let upscaled = twice || (strongest == 0 && upscale(features) > 0)
        let share = DetailFeatures.detailShare(spectrum.profile, floor: detailFloor)
        // A ×2 upscale keeps detail up to half of Nyquist at most, however its profile reads.
        let detail = max(1, Int((Double(longSide) * (twice ? min(share, 0.5) : share)).rounded()))
        return Assessment(detailPixels: detail, blurry: !upscaled, upscaled: upscaled, sharpness: features.mid50)
    }
}
