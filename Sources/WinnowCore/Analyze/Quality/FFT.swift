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
    ///
    /// Rows first, then columns, each as `transform` would do it, but all n transforms of a pass at once:
    /// a butterfly on whole rows of the n×n arrays is one vector loop, where n strided 1-D transforms are
    /// scalar. Each value goes through the same operations in the same order, so the power is the same
    /// to the bit as n + n calls to `transform` give (the detail spectrum's 32 tiles per image made
    /// those calls the largest cost of the analysis after libjpeg).
    func power2D(_ block: [Float]) -> [Float] {
        let (re, im) = transform2D(block)
        return Self.power(re, im)
    }

    /// |F|² from the real and imaginary parts.
    static func power(_ re: [Float], _ im: [Float]) -> [Float] {
        zip(re, im).map { $0 * $0 + $1 * $1 }
    }

    /// The 2-D transform of an n×n real block (row-major): real and imaginary parts, row-major by
    /// (vertical, horizontal) frequency, computed as `power2D` describes.
    func transform2D(_ block: [Float]) -> (re: [Float], im: [Float]) {
        transform2D(rowTransforms: rowTransforms(block))
    }

    /// The first pass of `transform2D`: every row's transform, stored bin by bin with the rows side by
    /// side (element [k·n + row]).
    func rowTransforms(_ block: [Float]) -> (re: [Float], im: [Float]) {
        precondition(block.count == n * n)
        var re = [Float](repeating: 0, count: n * n)
        var im = [Float](repeating: 0, count: n * n)
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                block.withUnsafeBufferPointer { b in
                    // Transposed, the rows' transforms run down the columns.
                    for y in 0..<n { for x in 0..<n { r[x * n + y] = b[y * n + x] } }
                }
                transformColumns(r.baseAddress!, i.baseAddress!)
            }
        }
        return (re, im)
    }

    /// The second pass of `transform2D`, from `rowTransforms`' output.
    func transform2D(rowTransforms rows: (re: [Float], im: [Float])) -> (re: [Float], im: [Float]) {
        var (re, im) = rows
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                transpose(r.baseAddress!)
                transpose(i.baseAddress!)
                transformColumns(r.baseAddress!, i.baseAddress!)
            }
        }
        return (re, im)
    }

    /// In-place transpose of an n×n array.
    private func transpose(_ a: UnsafeMutablePointer<Float>) {
        for y in 0..<n { for x in (y + 1)..<n { swap(&a[y * n + x], &a[x * n + y]) } }
    }

    /// `transform` of every column of the n×n arrays at once (row-major, stride n), 16 columns to a
    /// vector; sizes that are not a multiple of 16 go column by column through `transform`.
    func transformColumns(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>) {
        guard n % 16 == 0 else {
            for c in 0..<n { transform(re + c, im + c, stride: n) }
            return
        }
        for i in 0..<n {
            let j = bitReversed[i]
            if j > i {
                for c in 0..<n {
                    swap(&re[i * n + c], &re[j * n + c])
                    swap(&im[i * n + c], &im[j * n + c])
                }
            }
        }
        var length = 2
        while length <= n {
            let half = length / 2, step = n / length
            var start = 0
            while start < n {
                for k in 0..<half {
                    let wr = cosTable[k * step], wi = sinTable[k * step]
                    let a = (start + k) * n, b = (start + k + half) * n
                    var c = 0
                    while c < n {
                        let ra = UnsafeMutableRawPointer(re + a + c), ia = UnsafeMutableRawPointer(im + a + c)
                        let rb = UnsafeMutableRawPointer(re + b + c), ib = UnsafeMutableRawPointer(im + b + c)
                        let xr = rb.loadUnaligned(as: SIMD16<Float>.self), xi = ib.loadUnaligned(as: SIMD16<Float>.self)
                        let yr = ra.loadUnaligned(as: SIMD16<Float>.self), yi = ia.loadUnaligned(as: SIMD16<Float>.self)
                        let tr = xr * wr - xi * wi
                        let ti = xr * wi + xi * wr
                        rb.storeBytes(of: yr - tr, as: SIMD16<Float>.self)
                        ib.storeBytes(of: yi - ti, as: SIMD16<Float>.self)
                        ra.storeBytes(of: yr + tr, as: SIMD16<Float>.self)
                        ia.storeBytes(of: yi + ti, as: SIMD16<Float>.self)
                        c += 16
                    }
                }
                start += length
            }
            length *= 2
        }
    }
}
