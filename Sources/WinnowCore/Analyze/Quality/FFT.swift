import Foundation

/// In-place radix-2 complex FFT of a fixed power-of-two length (small sizes: 64-pixel tiles).
struct RadixTwoFFT: Sendable {
    let n: Int
    private let cosTable: [Float]
    private let sinTable: [Float]
    private let bitReversed: [Int]

    init(size n: Int) {
        precondition(n > 1 && n & (n - 1) == 0, "FFT size must be a power of two")
        self.n = n
        cosTable = (0..<(n / 2)).map { Float(cos(-2 * Double.pi * Double($0) / Double(n))) }
        sinTable = (0..<(n / 2)).map { Float(sin(-2 * Double.pi * Double($0) / Double(n))) }
        let bits = n.trailingZeroBitCount
        bitReversed = (0..<n).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
    }

    /// Transforms `count` = n values at `re`/`im`, `stride` apart (rows: 1, columns: the row length).
    func transform(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>, stride: Int) {
        for i in 0..<n {
            let j = bitReversed[i]
            if j > i {
                swap(&re[i * stride], &re[j * stride])
                swap(&im[i * stride], &im[j * stride])
            }
        }
        var length = 2
        while length <= n {
            let half = length / 2, step = n / length
            var start = 0
            while start < n {
                for k in 0..<half {
                    let wr = cosTable[k * step], wi = sinTable[k * step]
                    let a = (start + k) * stride, b = (start + k + half) * stride
                    let tr = re[b] * wr - im[b] * wi
                    let ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                }
                start += length
            }
            length *= 2
        }
    }

    /// Power |F|² of the 2-D transform of an n×n real block (row-major), in place of nothing: returns it.
    func power2D(_ block: [Float]) -> [Float] {
        precondition(block.count == n * n)
        var re = block
        var im = [Float](repeating: 0, count: n * n)
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                for row in 0..<n { transform(r.baseAddress! + row * n, i.baseAddress! + row * n, stride: 1) }
                for column in 0..<n { transform(r.baseAddress! + column, i.baseAddress! + column, stride: n) }
            }
        }
        return (0..<(n * n)).map { re[$0] * re[$0] + im[$0] * im[$0] }
    }
}
