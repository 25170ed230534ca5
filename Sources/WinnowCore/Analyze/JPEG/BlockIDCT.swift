import Foundation

/// Inverse DCT of JPEG blocks at 1/8, 1/4, 1/2 or full scale: `k`×`k` pixels from the block's `k`×`k`
/// lowest frequencies (what libjpeg's scaled decoding does). JPEG's DCT is orthonormal, so the
/// coefficients only need the factor k/8 and a k-point inverse; at k = 1 a pixel is the block's mean.
struct BlockIDCT: Sendable {
    /// Output pixels per block side: 1, 2, 4 or 8.
    let k: Int
    /// basis[i * k + u] = c(u) cos(π (2i+1) u / 2k) · √(k/8)  (the √ on each axis makes k/8 in all).
    private let basis: [Float]

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
    }

    /// Writes the block's k×k pixels (0–255 scale, level shift added, not rounded) to `out`, rows
    /// `stride` apart. `block`: 64 quantised coefficients, natural order; `quant`: their steps.
    func pixels(_ block: UnsafePointer<Int16>, quant: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, stride: Int) {
        let k = self.k
        if k == 1 {
            out[0] = Float(block[0]) * quant[0] / 8 + 128
            return
        }
        basis.withUnsafeBufferPointer { b in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 128) { scratch in
                let d = scratch.baseAddress!, t = d + 64
                // Dequantised low frequencies d[v][u], then rows t[v][j] = Σu d[v][u] b[j][u], then columns.
                for v in 0..<k { for u in 0..<k { d[v * k + u] = Float(block[v * 8 + u]) * quant[v * 8 + u] } }
                for v in 0..<k {
                    for j in 0..<k {
                        var s: Float = 0
                        for u in 0..<k { s += d[v * k + u] * b[j * k + u] }
                        t[v * k + j] = s
                    }
                }
                for i in 0..<k {
                    for j in 0..<k {
                        var s: Float = 0
                        for v in 0..<k { s += t[v * k + j] * b[i * k + v] }
                        out[i * stride + j] = s + 128
                    }
                }
            }
        }
    }
}
