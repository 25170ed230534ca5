import Foundation

/// High-frequency energy of an image at native resolution, as half-octave bands.
///
/// The most detailed 64×64 tiles (by gradient energy) are transformed with a DCT; their power is summed
/// in half-octave rings of spatial frequency, per orientation. A sharp photo carries roughly equal
/// energy in every octave; an upscale by k has almost none above 1/(2k) cycles per pixel, a blur rolls
/// off smoothly. Measured on the full-resolution pixels: any shrink would hide exactly this.
public struct DetailSpectrum: Sendable, Equatable {
    /// Ring edges in DCT-index units (frequency = r / 128 cycles per pixel); band i is [edges[i], edges[i+1]).
    public static let edges: [Float] = [4, 5.657, 8, 11.31, 16, 22.63, 32, 45.25, 64]
    public static var bandCount: Int { edges.count - 1 }
    /// Upper frequency of band i in cycles per pixel (0.5 = Nyquist).
    public static func upperFrequency(band: Int) -> Double { Double(edges[band + 1]) / 128 }

    /// Summed power per band, all orientations.
    public var bands: [Double]
    /// The same per orientation: horizontal, diagonal, vertical frequencies.
    public var oriented: [[Double]]
    /// How many tiles were measured.
    public var tiles: Int

    static let tileSide = 64
    static let maxTiles = 12
    private static let dct = DCT2D(size: tileSide)

    /// Measures `plane` (native resolution grey).
    public static func measure(_ plane: GrayPlane) -> DetailSpectrum {
        let n = tileSide
        var bands = [Double](repeating: 0, count: bandCount)
        var oriented = [[Double]](repeating: [Double](repeating: 0, count: bandCount), count: 3)
        guard plane.width >= n, plane.height >= n else { return DetailSpectrum(bands: bands, oriented: oriented, tiles: 0) }
        // Score every tile on a grid by gradient energy; measure the best ones.
        var scored: [(score: Float, x: Int, y: Int)] = []
        plane.pixels.withUnsafeBufferPointer { p in
            var y = 0
            while y + n <= plane.height {
                var x = 0
                while x + n <= plane.width {
                    var s: Float = 0
                    for yy in stride(from: y, to: y + n - 1, by: 2) {
                        let row = yy * plane.width
                        for xx in stride(from: x, to: x + n - 1, by: 2) {
                            let c = p[row + xx]
                            s += abs(p[row + xx + 1] - c) + abs(p[row + plane.width + xx] - c)
                        }
                    }
                    scored.append((s, x, y))
                    x += n
                }
                y += n
            }
        }
        scored.sort { $0.score > $1.score }
        let chosen = scored.prefix(maxTiles)
        // Ring and orientation of every coefficient, computed once.
        var ring = [Int](repeating: -1, count: n * n)
        var sector = [Int](repeating: 0, count: n * n)
        for v in 0..<n {
            for u in 0..<n {
                let r = Float(sqrt(Double(u * u + v * v)))
                if let band = (0..<bandCount).first(where: { r >= edges[$0] && r < edges[$0 + 1] }) { ring[v * n + u] = band }
                let angle = atan2(Double(v), Double(u)) * 180 / Double.pi
                sector[v * n + u] = angle < 22.5 ? 0 : (angle <= 67.5 ? 1 : 2)
            }
        }
        var block = [Float](repeating: 0, count: n * n)
        for tile in chosen {
            for yy in 0..<n {
                for xx in 0..<n { block[yy * n + xx] = plane.pixels[(tile.y + yy) * plane.width + tile.x + xx] }
            }
            let coefficients = dct.transform(block)
            for i in 0..<(n * n) where ring[i] >= 0 {
                let power = Double(coefficients[i] * coefficients[i])
                bands[ring[i]] += power
                oriented[sector[i]][ring[i]] += power
            }
        }
        return DetailSpectrum(bands: bands, oriented: oriented, tiles: chosen.count)
    }

    /// log10 of each band's power relative to the reference band (the lowest one): a sharp photo stays
    /// near 0 up to Nyquist, an upscale or blur falls off.
    public var profile: [Double] { Self.relative(bands) }

    /// The weakest orientation's profile (motion blur removes one direction only).
    public var weakestProfile: [Double] {
        let profiles = oriented.map { Self.relative($0) }
        return (0..<Self.bandCount).map { i in profiles.map { $0[i] }.min() ?? -9 }
    }

    static func relative(_ bands: [Double]) -> [Double] {
        let reference = max(bands[0], 1e-9)
        return bands.map { log10(max($0, 1e-9) / reference) }
    }
}
