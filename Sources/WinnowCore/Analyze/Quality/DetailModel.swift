import Foundation

/// Turns `DetailFeatures` into `blurry`, `upscaled` and `detail_px`.
///
/// Fitted on the DEV corpus by `scripts/fit_quality.py` (leave-sources-out cross-validation; the script
/// prints these constants). Soft (blurry or upscaled): the middle band (0.19–0.28 cycles/px) of the
/// median tile lies under a level only 1.5 % of DEV's sharp files reach — a sharp file wrongly set
/// aside costs the user a good image, so that budget is fixed first. Which kind of soft: a logistic
/// score that tells an upscale's cliff from a blur's smooth roll-off.
public struct DetailModel: Sendable, Equatable {
    /// `mid50` under this: soft.
    public var middleBandLimit: Double
    /// score = bias + Σ weight·feature (feature order: `DetailFeatures.names`); > 0: upscaled, else blurry.
    public var upscaleBias: Double
    public var upscaleWeights: [Double]
    /// The whitened level (log10) below which a ring no longer counts as real detail (`detail_px`).
    public var detailFloor: Double

    public init(middleBandLimit: Double = Fitted.middleBandLimit, upscaleBias: Double = Fitted.upscaleBias,
                upscaleWeights: [Double] = Fitted.upscaleWeights, detailFloor: Double = Fitted.detailFloor) {
        self.middleBandLimit = middleBandLimit
        self.upscaleBias = upscaleBias
        self.upscaleWeights = upscaleWeights
        self.detailFloor = detailFloor
    }

    /// Constants printed by `scripts/fit_quality.py` (DEV, seed 1, 864 files).
    public enum Fitted {
        public static let middleBandLimit = -1.572
        public static let upscaleBias = -3.1314
        public static let upscaleWeights = [-2.547, -1.3901, -0.14522, 1.6405, -2.7986, -0.15437, 1.3118, -0.099334,
                                            -0.13196, -2.0066, 0.8008]
        public static let detailFloor = -0.6
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
        guard features.mid50 < middleBandLimit else {
            return Assessment(detailPixels: longSide, blurry: false, upscaled: false, sharpness: features.mid50)
        }
        let upscale = zip(upscaleWeights, features.vector).reduce(upscaleBias) { $0 + $1.0 * $1.1 }
        let share = DetailFeatures.detailShare(spectrum.profile, floor: detailFloor)
        let detail = max(1, Int((Double(longSide) * share).rounded()))
        return Assessment(detailPixels: detail, blurry: upscale <= 0, upscaled: upscale > 0, sharpness: features.mid50)
    }
}
