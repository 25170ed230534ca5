import Foundation

/// Finds a picture resampled up by a whole factor (2, 3 or 4) by the repetition that leaves in its
/// spectrum.
///
/// An upscale by p lays one kernel over the original samples, so its spectrum repeats the original's
/// every 1/p cycle per pixel, weighted by the kernel's response: each frequency f under the original's
/// Nyquist, 1/(2p), keeps one fixed ratio to its nearest image f − 1/p, in every line of every tile,
/// whatever the content. A real photo's frequencies are unrelated. Per tile and axis, each line (a row or
/// a column of the windowed tile) is transformed at 192ths of a cycle per pixel — the tile's 64 bins and
/// the thirds between them, so that 1/2, 1/3 and 1/4 are whole steps — and F(f − 1/p)·conj F(f) is summed
/// over lines and tiles, its phase measured from the image's pixel grid (where the kernel sits). The
/// coherence |Σ F(f − 1/p) conj F(f)|² / (Σ |F(f)|² · Σ |F(f − 1/p)|²), averaged over the band and both
/// axes, is near 1 for an upscale by p and near 0 for a real picture.
///
/// JPEG's 8×8 grid repeats too, every 1/8 cycle: frequencies within 1/64 cycle of its harmonics (f's or
/// its partner's) are left out, and what the blocks leave still makes a compressed photo a little
/// coherent at 1/2 and 1/4 (4/8 and 2/8), never at 1/3.
public enum ResamplingPeriods {
    /// The whole factors tested, in the order `DetailFeatures.periodCoherence` reports them.
    public static let periods = [2, 3, 4]
    static let steps = 192
    static let side = DetailSpectrum.tileSide

    /// Per period p, the frequencies f (in 192ths of a cycle per pixel) paired with f − steps/p: from 18
    /// (3/32 cycle; under it the partner lies so near Nyquist that kernels pass almost nothing of it) up to
    /// the original's Nyquist, steps/(2p), without those near a block harmonic.
    static let bands: [[Int]] = periods.map { p in
        (18...(steps / (2 * p))).filter { !nearBlockHarmonic($0) && !nearBlockHarmonic($0 - steps / p) }
    }

    /// Within 3 steps (1/64 cycle: a Hann-windowed tile's leakage) of a multiple of 1/8 cycle per pixel.
    static func nearBlockHarmonic(_ f: Int) -> Bool {
        let m = abs(f) % (steps / 8)
        return min(m, steps / 8 - m) <= 3
    }

    /// One tile's sums (`block`: the tile, mean removed and Hann-windowed; `rows`: its rows' transforms,
    /// as `RadixTwoFFT.rowTransforms` gives them, which the 2-D transform starts from too; `x`, `y`: its
    /// top-left pixel in the image as stored). Per period: for each axis (horizontal, vertical) and each f
    /// of its band, the real and imaginary parts of Σ F(f − 1/p)·conj F(f), then Σ |F(f)|² and
    /// Σ |F(f − 1/p)|², over the tile's lines.
    static func sums(windowed block: [Float], rows: (re: [Float], im: [Float]), x: Int, y: Int) -> [[Double]] {
        var out = [[Double]](repeating: [], count: periods.count)
        for (horizontal, origin) in [(true, x), (false, y)] {
            let lines = LineSpectra(block, rowTransforms: horizontal ? rows : nil)
            for (i, p) in periods.enumerated() {
                // A line starting at `origin` sees F(f) turned by e^(−2πi f origin): the product, by
                // e^(2πi origin / p). Turned back, every tile's products add up in phase.
                let turn = 2 * Double.pi * Double(origin % p) / Double(p)
                let c = cos(turn), s = sin(turn)
                for f in bands[i] {
                    let (re, im, power, partnerPower) = lines.products(f - steps / p, f)
                    out[i] += [re * c - im * s, re * s + im * c, power, partnerPower]
                }
            }
        }
        return out
    }

    /// Per period, the coherence of tiles' `sums` added together.
    static func coherence(_ tiles: [[[Double]]]) -> [Double]? {
        guard let first = tiles.first, tiles.allSatisfy({ $0.map(\.count) == first.map(\.count) }) else { return nil }
        return first.indices.map { i in
            var total = [Double](repeating: 0, count: first[i].count)
            for tile in tiles { for k in total.indices { total[k] += tile[i][k] } }
            let values = stride(from: 0, to: total.count, by: 4).map { k -> Double in
                let cross = total[k] * total[k] + total[k + 1] * total[k + 1]
                return cross / max(1e-12, total[k + 2] * total[k + 3])
            }
            return values.reduce(0, +) / Double(max(1, values.count))
        }
    }

    private static let fft = RadixTwoFFT(size: side)
    /// e^(−2πi t/192) for t = 0..<side: shifts a line's transform by a third of a bin.
    private static let third: (cos: [Float], sin: [Float]) = (
        (0..<side).map { Float(cos(-2 * Double.pi * Double($0) / Double(steps))) },
        (0..<side).map { Float(sin(-2 * Double.pi * Double($0) / Double(steps))) })

    /// The transforms of a tile's lines at every 192th of a cycle: bins 3k (the plain transform) and
    /// 3k + 1 (the line turned by a third of a bin first); 3k + 2 is the conjugate of −(3k + 2), a 3k' + 1.
    /// Stored bin by bin, lines side by side (`transformColumns` transforms all lines at once).
    private struct LineSpectra {
        /// Transform 0 then transform 1, each side² values.
        let re: [Float]
        let im: [Float]

        /// The block's rows, whose plain transforms `rowTransforms` already holds (in this layout), or
        /// with nil its columns.
        init(_ block: [Float], rowTransforms known: (re: [Float], im: [Float])?) {
            let size = side * side
            var im: [Float] = []
            re = [Float](unsafeUninitializedCapacity: 2 * size) { r, filled in
                im = [Float](unsafeUninitializedCapacity: 2 * size) { i, filled in
                    block.withUnsafeBufferPointer {
                        Self.fill(re: r.baseAddress!, im: i.baseAddress!, from: $0.baseAddress!, rowTransforms: known)
                    }
                    filled = 2 * size
                }
                filled = 2 * size
            }
            self.im = im
        }

        /// Writes both transforms (every value: the buffers come uninitialised).
        private static func fill(re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>, from b: UnsafePointer<Float>,
                                 rowTransforms known: (re: [Float], im: [Float])?) {
            let n = side, size = side * side, horizontal = known != nil
            // Bin by bin, lines side by side: the horizontal lines are the block's rows, transposed.
            for t in 0..<n {
                let c = third.cos[t], s = third.sin[t]
                for line in 0..<n {
                    let v = horizontal ? b[line * n + t] : b[t * n + line]
                    re[size + t * n + line] = v * c
                    im[size + t * n + line] = v * s
                }
            }
            fft.transformColumns(re + size, im + size)
            if let known {
                known.re.withUnsafeBufferPointer { re.update(from: $0.baseAddress!, count: size) }
                known.im.withUnsafeBufferPointer { im.update(from: $0.baseAddress!, count: size) }
            } else {
                // The vertical lines are the block's columns, already bin by bin; they are real.
                re.update(from: b, count: size)
                im.update(repeating: 0, count: size)
                fft.transformColumns(re, im)
            }
        }

        /// Where frequency f (192ths, any sign) is stored: the offset of its first line, and whether it is
        /// the conjugate of what is stored.
        private func locate(_ f: Int) -> (offset: Int, conjugate: Bool) {
            let j = ((f % steps) + steps) % steps
            switch j % 3 {
            case 0: return (j / 3 * side, false)
            case 1: return (side * side + j / 3 * side, false)
            default: return (side * side + (steps - j - 1) / 3 * side, true)
            }
        }

        /// Over the lines: Σ F(a)·conj F(b) (real, imaginary), Σ |F(b)|², Σ |F(a)|²; 16 lines to a vector.
        func products(_ a: Int, _ b: Int) -> (Double, Double, Double, Double) {
            let (oa, ca) = locate(a), (ob, cb) = locate(b)
            let sa: Float = ca ? -1 : 1, sb: Float = cb ? -1 : 1
            var cr = SIMD16<Float>(), ci = SIMD16<Float>(), pb = SIMD16<Float>(), pa = SIMD16<Float>()
            re.withUnsafeBytes { r in
                im.withUnsafeBytes { i in
                    for line in stride(from: 0, to: side, by: 16) {
                        let ar = r.loadUnaligned(fromByteOffset: 4 * (oa + line), as: SIMD16<Float>.self)
                        let ai = sa * i.loadUnaligned(fromByteOffset: 4 * (oa + line), as: SIMD16<Float>.self)
                        let br = r.loadUnaligned(fromByteOffset: 4 * (ob + line), as: SIMD16<Float>.self)
                        let bi = sb * i.loadUnaligned(fromByteOffset: 4 * (ob + line), as: SIMD16<Float>.self)
                        cr += ar * br + ai * bi
                        ci += ai * br - ar * bi
                        pb += br * br + bi * bi
                        pa += ar * ar + ai * ai
                    }
                }
            }
            return (Double(cr.sum()), Double(ci.sum()), Double(pb.sum()), Double(pa.sum()))
        }
    }
}
