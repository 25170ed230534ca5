import Foundation

/// Picks a JPEG's most detailed 64×64 tiles from its coefficients and rebuilds only their pixels.
///
/// A tile is 8×8 luma blocks on the same 64-pixel grid the pixel path scores. Its score is what the pixel
/// path measures — gradient energy — read off the dequantised AC coefficients: a block's squared
/// gradient is Σ (q·C)² (4 sin²(πu/16) + 4 sin²(πv/16)) (the DCT diagonalises finite differences), and
/// summing its square root over the tile's blocks mirrors the pixel path's sum of absolute differences.
enum DetailTileSelection {
    /// Per coefficient (natural order): the squared gradient gain of frequency (u, v); 0 for DC.
    static let gradientGain: [Float] = (0..<64).map { i in
        let u = Double(i % 8), v = Double(i / 8)
        return Float(4 * pow(sin(Double.pi * u / 16), 2) + 4 * pow(sin(Double.pi * v / 16), 2))
    }

    /// The `count` most detailed tiles' luma (row-major, 0–255, rounded like a decoder's output).
    static func tiles(_ jpeg: JPEGCoefficients, count: Int) -> [[Float]] {
        let side = DetailSpectrum.tileSide, blocksPerTile = side / 8
        let tilesWide = jpeg.width / side, tilesHigh = jpeg.height / side
        guard tilesWide > 0, tilesHigh > 0, count > 0 else { return [] }
        // The weights in four 16-lane vectors (DC's gain is 0): every block of the image is scored, so
        // this loop is most of the path's own cost.
        let weights = zip(gradientGain, jpeg.quantisation[0]).map { $0 * Float($1) * Float($1) }
        let w0 = SIMD16<Float>(weights[0..<16]), w1 = SIMD16<Float>(weights[16..<32])
        let w2 = SIMD16<Float>(weights[32..<48]), w3 = SIMD16<Float>(weights[48..<64])
        var scores = [Float](repeating: 0, count: tilesWide * tilesHigh)
        for by in 0..<(tilesHigh * blocksPerTile) {
            let row = UnsafeRawPointer(jpeg.blockRow(0, by))
            let tileRow = (by / blocksPerTile) * tilesWide
            for bx in 0..<(tilesWide * blocksPerTile) {
                let block = row + 128 * bx
                let c0 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 0, as: SIMD16<Int16>.self))
                let c1 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self))
                let c2 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 64, as: SIMD16<Int16>.self))
                let c3 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 96, as: SIMD16<Int16>.self))
                let energy = c0 * c0 * w0 + c1 * c1 * w1 + c2 * c2 * w2 + c3 * c3 * w3
                scores[tileRow + bx / blocksPerTile] += energy.sum().squareRoot()
            }
        }
        // Ties (flat tiles) keep grid order, as in the pixel path.
        let chosen = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(count)
        let idct = BlockIDCT(pixelsPerBlock: 8)
        let quant = jpeg.quantisation[0].map(Float.init)
        return chosen.map { index in
            let tx = index % tilesWide, ty = index / tilesWide
            var pixels = [Float](repeating: 0, count: side * side)
            quant.withUnsafeBufferPointer { q in
                pixels.withUnsafeMutableBufferPointer { out in
                    for j in 0..<blocksPerTile {
                        let row = jpeg.blockRow(0, ty * blocksPerTile + j)
                        for i in 0..<blocksPerTile {
                            idct.pixels(row + 64 * (tx * blocksPerTile + i), quant: q.baseAddress!,
                                        into: out.baseAddress! + j * 8 * side + i * 8, stride: side)
                        }
                    }
                }
            }
            return pixels.map { min(255, max(0, $0.rounded())) }
        }
    }
}
