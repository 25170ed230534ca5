import Foundation

/// 64-bit perceptual hashes of the shrunk image, and the small aligned "look" a second look compares.
public enum PerceptualHash {
    private static let dct32 = DCT2D(size: 32)

    /// Difference hash: sign of horizontal gradients on a 9×8 resample.
    public static func dHash(_ plane: GrayPlane) -> UInt64 {
        let small = plane.resampled(width: 9, height: 8)
        var hash: UInt64 = 0
        for y in 0..<8 {
            for x in 0..<8 where small[x + 1, y] > small[x, y] {
                hash |= 1 << UInt64(y * 8 + x)
            }
        }
        return hash
    }

    /// DCT hash: the 8×8 lowest frequencies (without DC) of a 32×32 resample against their median.
    public static func pHash(_ plane: GrayPlane) -> UInt64 {
        pHash(resampled32: plane.resampled(width: 32, height: 32))
    }

    static func pHash(resampled32 small: GrayPlane) -> UInt64 {
        let coefficients = dct32.transform(small.pixels)
        var low: [Float] = []
        low.reserveCapacity(64)
        for v in 0..<8 { for u in 0..<8 { low.append(coefficients[v * 32 + u]) } }
        let median = low[1...].sorted()[31]
        var hash: UInt64 = 0
        for (i, c) in low.enumerated() where i > 0 && c > median { hash |= 1 << UInt64(i) }
        return hash
    }

    /// Side of the stored look (grey, squashed to a square).
    public static let lookSide = 64

    /// The look: `lookSide`² grey bytes, area-averaged.
    public static func look(_ plane: GrayPlane) -> [UInt8] {
        plane.resampled(width: lookSide, height: lookSide).pixels.map { UInt8(max(0, min(255, $0.rounded()))) }
    }
}

extension UInt64 {
    /// Hamming distance.
    @inline(__always) public func distance(to other: UInt64) -> Int { (self ^ other).nonzeroBitCount }

    public var hex: String {
        let s = String(self, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public init?(hex: String) { self.init(hex, radix: 16) }
}
