import Foundation

/// Turns a native-resolution spectrum into `detail_px`, `blurry` and `upscaled`. Thresholds tuned on DEV.
public struct DetailModel: Sendable, Equatable {
    /// A band counts as carrying real detail while its power is above this (log10, relative to the lowest band).
    public var detailFloor: Double = -1.5
    /// Detail below this share of the long side: the image is soft (blurry or upscaled).
    public var softShare: Double = 0.6

    public init() {}

    public struct Assessment: Sendable, Equatable {
        public var detailPixels: Int
        public var blurry: Bool
        public var upscaled: Bool
        public var sharpness: Double
    }

    public func assess(_ spectrum: DetailSpectrum, longSide: Int) -> Assessment {
        let profile = spectrum.profile
        // Highest band still above the floor, interpolated in log-frequency to where it crosses.
        var cutoff = DetailSpectrum.upperFrequency(band: 0)
        for band in 1..<DetailSpectrum.bandCount {
            let value = profile[band]
            if value >= detailFloor {
                cutoff = DetailSpectrum.upperFrequency(band: band)
            } else {
                let previous = profile[band - 1]
                let t = previous > value ? (previous - detailFloor) / (previous - value) : 0
                let low = DetailSpectrum.upperFrequency(band: band - 1)
                cutoff = low * pow(2, 0.5 * min(max(t, 0), 1))
                break
            }
        }
        let share = min(1, cutoff / 0.5)
        let detail = Int((Double(longSide) * share).rounded())
        let soft = share < softShare
        return Assessment(detailPixels: detail, blurry: soft, upscaled: false,
                          sharpness: (profile.last ?? -9))
    }
}
