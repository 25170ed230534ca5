import Foundation

/// Inverse DCT of JPEG blocks at 1/8, 1/4, 1/2 or full scale: `k`×`k` pixels from the block's `k`×`k`
/// lowest frequencies (what libjpeg's scaled decoding does). JPEG's DCT is orthonormal, so the
/// coefficients only need the factor k/8 and a k-point inverse; at k = 1 a pixel is the block's mean.
struct BlockIDCT: Sendable {
    /// Output pixels per block side: 1, 2, 4 or 8.
    let k: Int
    /// basis[i * k + u] = c(u) cos(π (2i+1) u / 2k) · √(k/8)  (the √ on each axis makes k/8 in all).
    private let basis: [Float]
    /// The same transposed, columns[u * k + i] = basis[i * k + u]: the row pass runs over output pixels.
    private let columns: [Float]

    init(pixelsPerBlock k: Int) {
        precondition([1, 2, 4, 8].contains(k))
        self.k = k
        var basis = [Float](repeating: 0, count: k * k)
        for i in 0..<k {
            for u in 0..<k {
                let c = u == 0 ? sqrt(1.0 / Double(k)) : sqrt(2.0 / Double(k))
                basis[i * k + u] = Float(c * cos(Double.pi * Double(2 * i + 1) * Double(u) / Double(2 * k)) * sqrt(Double(k) / 8))
            }
        }
        self.basis = basis
        columns = (0..<(k * k)).map { basis[($0 % k) * k + $0 / k] }
    }

    /// Writes the block's k×k pixels (0–255 scale, level shift added, not rounded) to `out`, rows
    /// `stride` apart. `block`: 64 quantised coefficients, natural order; `quant`: their steps.
    func pixels(_ block: UnsafePointer<Int16>, quant: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, stride: Int) {
        switch k {
        case 1: out[0] = Float(block[0]) * quant[0] / 8 + 128
        case 2: pixels(block, quant: quant, into: out, stride: stride, as: SIMD2<Float>.self)
        case 4: pixels(block, quant: quant, into: out, stride: stride, as: SIMD4<Float>.self)
        default: pixels(block, quant: quant, into: out, stride: stride, as: SIMD8<Float>.self)
        }
    }

    /// The separable inverse with one k-lane vector per row of output pixels. Every pixel is summed in
    /// the same order as the textbook double loop (rows over u, then columns over v, from zero), so the
    /// vector form gives the very same floats, only faster: the detail tiles' 2,048 blocks per image
    /// made the scalar loops most of the coefficient path's own cost.
    @inline(__always)
    private func pixels<V: SIMD>(_ block: UnsafePointer<Int16>, quant: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                 stride: Int, as: V.Type) where V.Scalar == Float {
        basis.withUnsafeBufferPointer { b in
            columns.withUnsafeBufferPointer { c in
                withUnsafeTemporaryAllocation(of: V.self, capacity: 8) { rows in
                    // rows[v][j] = Σu (q·C)[v][u] · basis[j][u]
                    for v in 0..<k {
                        var t = V()
                        for u in 0..<k {
                            let d = Float(block[v * 8 + u]) * quant[v * 8 + u]
                            t += d * UnsafeRawPointer(c.baseAddress! + u * k).loadUnaligned(as: V.self)
                        }
                        rows[v] = t
                    }
                    // out[i][j] = Σv rows[v][j] · basis[i][v] + 128
                    for i in 0..<k {
                        var s = V()
                        for v in 0..<k { s += rows[v] * b[i * k + v] }
                        s += 128
                        UnsafeMutableRawPointer(out + i * stride).storeBytes(of: s, as: V.self)
                    }
                }
            }
        }
    }
}
