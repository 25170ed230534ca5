import Foundation

/// Picks a JPEG's most detailed 64×64 tiles from its luma block rows as they are decoded, and rebuilds
/// only their pixels.
///
/// A tile is 8×8 luma blocks on the same 64-pixel grid the pixel path scores. Its score is what the pixel
/// path measures — gradient energy — read off the dequantised AC coefficients: a block's squared
/// gradient is Σ (q·C)² (4 sin²(πu/16) + 4 sin²(πv/16)) (the DCT diagonalises finite differences), and
/// summing its square root over the tile's blocks mirrors the pixel path's sum of absolute differences.
/// Only the current row of tiles and the best tiles so far are kept: the image never is.
final class DetailTileSelection {
    /// Per coefficient (natural order): the squared gradient gain of frequency (u, v); 0 for DC.
    static let gradientGain: [Float] = (0..<64).map { i in
        let u = Double(i % 8), v = Double(i / 8)
        return Float(4 * pow(sin(Double.pi * u / 16), 2) + 4 * pow(sin(Double.pi * v / 16), 2))
    }
    static let blocksPerTile = DetailSpectrum.tileSide / 8

    private let count: Int
    private let tilesWide: Int
    private let tilesHigh: Int
    /// The weights in four 16-lane vectors (DC's gain is 0), from the first row's quantisation table.
    private var weights: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)?
    private var quant: [Float] = []
    /// Scores of the tile row being read, and its coefficients (blocksPerTile block rows).
    private var rowScores: [Float]
    private var rowBlocks: [Int16]
    /// The best tiles so far: score, grid index, coefficients (blocksPerTile² blocks, row by row).
    private var kept: [(score: Float, index: Int, blocks: [Int16])] = []

    init(width: Int, height: Int, count: Int) {
        let side = DetailSpectrum.tileSide
        tilesWide = width / side
        tilesHigh = height / side
        self.count = tilesWide > 0 && tilesHigh > 0 ? count : 0
        rowScores = [Float](repeating: 0, count: tilesWide)
        rowBlocks = [Int16](repeating: 0, count: self.count > 0 ? Self.blocksPerTile * tilesWide * Self.blocksPerTile * 64 : 0)
    }

    /// Adds luma block row `by` with its quantisation table: every block of the image is scored, so
    /// this loop is most of the selection's cost.
    func add(row by: Int, blocks row: UnsafePointer<Int16>, quant table: UnsafePointer<UInt16>) {
        let bpt = Self.blocksPerTile
        guard count > 0, by < tilesHigh * bpt else { return }
        if weights == nil {
            quant = (0..<64).map { Float(table[$0]) }
            let w = (0..<64).map { Self.gradientGain[$0] * quant[$0] * quant[$0] }
            weights = (SIMD16<Float>(w[0..<16]), SIMD16<Float>(w[16..<32]), SIMD16<Float>(w[32..<48]), SIMD16<Float>(w[48..<64]))
        }
        let (w0, w1, w2, w3) = weights!
        let blocks = tilesWide * bpt
        rowScores.withUnsafeMutableBufferPointer { scores in
            let raw = UnsafeRawPointer(row)
            for bx in 0..<blocks {
                let block = raw + 128 * bx
                let c0 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 0, as: SIMD16<Int16>.self))
                let c1 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self))
                let c2 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 64, as: SIMD16<Int16>.self))
                let c3 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 96, as: SIMD16<Int16>.self))
                let energy = c0 * c0 * w0 + c1 * c1 * w1 + c2 * c2 * w2 + c3 * c3 * w3
                scores[bx / bpt] += energy.sum().squareRoot()
            }
        }
        rowBlocks.withUnsafeMutableBufferPointer { out in
            (out.baseAddress! + (by % bpt) * blocks * 64).update(from: row, count: blocks * 64)
        }
        if by % bpt == bpt - 1 { finishTileRow(by / bpt) }
    }

    /// Offers each tile of the finished row to the best so far. Later tiles have higher grid indices, so
    /// a tile displaces a kept one only by scoring higher: ties keep grid order, as in the pixel path.
    private func finishTileRow(_ ty: Int) {
        let bpt = Self.blocksPerTile, rowLength = tilesWide * bpt * 64
        for tx in 0..<tilesWide {
            let score = rowScores[tx]
            rowScores[tx] = 0
            var slot = kept.count
            if kept.count == count {
                // The weakest kept tile: lowest score, and of equal scores the latest.
                var weakest = 0
                for k in kept.indices where kept[k].score < kept[weakest].score
                    || (kept[k].score == kept[weakest].score && kept[k].index > kept[weakest].index) { weakest = k }
                guard score > kept[weakest].score else { continue }
                slot = weakest
            }
            var blocks = [Int16](repeating: 0, count: bpt * bpt * 64)
            for j in 0..<bpt {
                let from = j * rowLength + tx * bpt * 64
                blocks[(j * bpt * 64)..<((j + 1) * bpt * 64)] = rowBlocks[from..<(from + bpt * 64)]
            }
            let tile = (score: score, index: ty * tilesWide + tx, blocks: blocks)
            if slot == kept.count { kept.append(tile) } else { kept[slot] = tile }
        }
    }

    /// The chosen tiles' luma, most detailed first (row-major, 0–255, rounded like a decoder's output).
    func tiles() -> [DetailTile] {
        let side = DetailSpectrum.tileSide, bpt = Self.blocksPerTile
        let idct = BlockIDCT(pixelsPerBlock: 8)
        let chosen = kept.sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return chosen.map { tile in
            var pixels = [Float](repeating: 0, count: side * side)
            quant.withUnsafeBufferPointer { q in
                tile.blocks.withUnsafeBufferPointer { blocks in
                    pixels.withUnsafeMutableBufferPointer { out in
                        for j in 0..<bpt {
                            for i in 0..<bpt {
                                idct.pixels(blocks.baseAddress! + 64 * (j * bpt + i), quant: q.baseAddress!,
                                            into: out.baseAddress! + j * 8 * side + i * 8, stride: side)
                            }
                        }
                    }
                }
            }
            return DetailTile(pixels: Self.decoderOutput(pixels),
                              x: tile.index % tilesWide * side, y: tile.index / tilesWide * side)
        }
    }

    /// `min(255, max(0, v.rounded()))` for every pixel (a decoder's rounding and clamping), eight at a
    /// time: halves away from zero, as `rounded()` does, by truncating and looking at what was cut off
    /// (exact in Float), where a per-pixel call to libm's roundf cost as much as the inverse DCT.
    static func decoderOutput(_ pixels: [Float]) -> [Float] {
        var out = pixels
        out.withUnsafeMutableBufferPointer { p in
            let raw = UnsafeMutableRawPointer(p.baseAddress!)
            var k = 0
            while k + 8 <= p.count {
                let v = raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
                let t = v.rounded(.towardZero), cut = v - t
                var r = t.replacing(with: t + 1, where: cut .>= 0.5).replacing(with: t - 1, where: cut .<= -0.5)
                // Swift's max(0, r) and min(255, r), comparison for comparison.
                r = r.replacing(with: 0, where: .!(r .>= 0))
                r = r.replacing(with: 255, where: .!(r .< 255))
                raw.storeBytes(of: r, toByteOffset: 4 * k, as: SIMD8<Float>.self)
                k += 8
            }
            while k < p.count { p[k] = min(255, max(0, p[k].rounded())); k += 1 }
        }
        return out
    }
}
