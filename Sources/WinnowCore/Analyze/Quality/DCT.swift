import Foundation

/// Orthonormal DCT-II of square blocks by two matrix products (small N only: hashes and tiles).
struct DCT2D: Sendable {
    let n: Int
    /// basis[u * n + x] = c(u) cos(π (2x+1) u / 2n)
    private let basis: [Float]

    init(size n: Int) {
        self.n = n
        var basis = [Float](repeating: 0, count: n * n)
        for u in 0..<n {
            let c = u == 0 ? sqrt(1.0 / Double(n)) : sqrt(2.0 / Double(n))
            for x in 0..<n { basis[u * n + x] = Float(c * cos(Double.pi * Double(2 * x + 1) * Double(u) / Double(2 * n))) }
        }
        self.basis = basis
    }

    /// Coefficients, row-major: out[v * n + u] (v vertical frequency, u horizontal).
    func transform(_ block: [Float]) -> [Float] {
        precondition(block.count == n * n)
        var temp = [Float](repeating: 0, count: n * n)
        var out = [Float](repeating: 0, count: n * n)
        basis.withUnsafeBufferPointer { b in
            block.withUnsafeBufferPointer { src in
                temp.withUnsafeMutableBufferPointer { t in
                    // Rows: t[y][u] = Σx src[y][x] b[u][x]
                    for y in 0..<n {
                        for u in 0..<n {
                            var s: Float = 0
                            for x in 0..<n { s += src[y * n + x] * b[u * n + x] }
                            t[y * n + u] = s
                        }
                    }
                }
            }
            temp.withUnsafeBufferPointer { t in
                out.withUnsafeMutableBufferPointer { o in
                    for v in 0..<n {
                        for u in 0..<n {
                            var s: Float = 0
                            for y in 0..<n { s += t[y * n + u] * b[v * n + y] }
                            o[v * n + u] = s
                        }
                    }
                }
            }
        }
        return out
    }
}
