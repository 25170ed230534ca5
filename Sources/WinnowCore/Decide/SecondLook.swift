import Foundation

/// How two looks compare once aligned: the evidence that decides whether a hash candidate is a copy.
public struct LookComparison: Sendable, Equatable, Encodable {
    /// Share of `a`'s look that maps inside `b` after alignment.
    public var coverage: Double
    /// Normalised cross-correlation of the aligned looks (brightness and contrast factored out).
    public var correlation: Double
    /// RMS residual of the worst and second-worst 8×8 block, in units of the look's contrast:
    /// a turned head or another expression shows up here even when the rest matches.
    public var worstBlock: Double
    public var secondBlock: Double
    /// Mean block residual.
    public var meanBlock: Double
    /// Block residual at the median and the 75th percentile: what most of the picture says, so a
    /// watermark (a few blocks in a corner) does not hide a copy, while a new pose (many blocks) shows.
    public var medianBlock: Double = 9
    public var upperBlock: Double = 9
    /// Worst block away from the frame's border ring: where a subject changes expression or pose.
    /// Re-posters stamp watermarks and handles near edges and corners, so the ring may differ more.
    public var innerWorstBlock: Double = 9
    /// Alignment found: scale and shift per axis (b = s·(a − centre) + centre + t).
    public var scaleX: Double, shiftX: Double, scaleY: Double, shiftY: Double
    /// Gaussian blur (look pixels; negative: applied to `b`) that made the two agree best: copies
    /// differ by blur, resize and re-encoding, which this factors out; distinct frames differ by content.
    public var blurMatch: Double = 0
}

/// Aligns two 64×64 looks (scale and shift per axis, which covers crops, resizes and small reframing),
/// factors out a difference in blur, and measures what still differs, globally and per block.
public enum SecondLook {
    static let side = PerceptualHash.lookSide

    /// Blurs tried on either side when matching sharpness (look pixels).
    static let blurs: [Double] = [0.7, 1.4]

    /// One look with everything the comparison derives from it alone (softened, blurred and smeared
    /// variants), so a file compared with many others derives them once, not once per pair.
    public struct Prepared: Sendable {
        let raw: [Float]
        /// Softened (σ = 1): what the alignment locks on.
        let soft: [Float]
        /// One per `SecondLook.blurs`.
        let blurred: [[Float]]
        /// One per `SecondLook.smears`.
        let smeared: [[Float]]

        public init(_ look: [UInt8]) {
            let raw = look.map(Float.init)
            self.raw = raw
            soft = SecondLook.blur(raw, sigma: 1.0)
            blurred = SecondLook.blurs.map { SecondLook.blur(raw, sigma: $0) }
            smeared = SecondLook.smears.map { SecondLook.smear(raw, dx: $0.0, dy: $0.1) }
        }
    }

    /// Directions of the motion blur tried on either side.
    static let smears: [(Int, Int)] = [(1, 0), (0, 1), (1, 1), (1, -1)]

    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> LookComparison {
        compare(Prepared(a), Prepared(b))
    }

    /// `compare` on prepared looks: the same result, without deriving the variants again.
    public static func compare(_ a: Prepared, _ b: Prepared) -> LookComparison {
        let fa = a.raw, fb = b.raw
        // Align on softened looks: robust to blur, noise and re-encoding, still sharp enough to lock on.
        let sa = a.soft, sb = b.soft
        let warp = align(sa, sb)
        var best = residual(fa, fb, warp)
        best.blurMatch = 0
        for (s, sigma) in blurs.enumerated() {
            for (x, y, sign) in [(a.blurred[s], fb, 1.0), (fa, b.blurred[s], -1.0)] {
                var candidate = residual(x, y, warp)
                candidate.blurMatch = sign * sigma
                if candidate.meanBlock < best.meanBlock { best = candidate }
            }
        }
        // Both softened alike: a crop or resize samples the picture on another pixel grid, and the
        // aliasing that leaves in a 64-pixel look is not a difference in content.
        var soft = residual(sa, sb, warp)
        soft.blurMatch = 0.5
        if soft.meanBlock < best.meanBlock { best = soft }
        // Motion blur (a shaky video frame) smears along one direction.
        for d in smears.indices {
            for (x, y, sign) in [(a.smeared[d], fb, 1.0), (fa, b.smeared[d], -1.0)] {
                var candidate = residual(x, y, warp)
                candidate.blurMatch = sign * 10
                if candidate.meanBlock < best.meanBlock { best = candidate }
            }
        }
        return best
    }

    /// Per-axis scale and shift mapping `a` into `b`.
    struct Warp: Equatable {
        var sx = 1.0, tx = 0.0, sy = 1.0, ty = 0.0
    }

    /// A warp's exact bits: only the very same warp may reuse a cost.
    struct WarpKey: Hashable {
        let sx: UInt64, tx: UInt64, sy: UInt64, ty: UInt64
        init(_ w: Warp) { sx = w.sx.bitPattern; tx = w.tx.bitPattern; sy = w.sy.bitPattern; ty = w.ty.bitPattern }
    }

    /// Coarse-to-fine pattern search on the mean squared residual, started from the per-axis profile
    /// alignment and from the identity (whichever fits better).
    static func align(_ a: [Float], _ b: [Float]) -> Warp {
        let n = side
        var colA = [Float](repeating: 0, count: n), colB = colA, rowA = colA, rowB = colA
        for y in 0..<n {
            for x in 0..<n {
                colA[x] += a[y * n + x]; colB[x] += b[y * n + x]
                rowA[y] += a[y * n + x]; rowB[y] += b[y * n + x]
            }
        }
        let (sx, tx) = align1D(colA, colB)
        let (sy, ty) = align1D(rowA, rowB)
        // The search steps back onto warps it has already costed (the reverse of the move it just
        // made): look those up instead of warping the look again. Same warp, same cost.
        var costed: [WarpKey: Double] = [:]
        func costOf(_ w: Warp) -> Double {
            let key = WarpKey(w)
            if let known = costed[key] { return known }
            let value = meanSquare(a, b, w)
            costed[key] = value
            return value
        }
        var warp = Warp()
        var cost = costOf(warp)
        let profile = Warp(sx: sx, tx: tx, sy: sy, ty: ty)
        let profileCost = costOf(profile)
        if profileCost < cost { warp = profile; cost = profileCost }
        var scaleStep = 0.02, shiftStep = 1.0
        for _ in 0..<4 {
            var improved = true
            var rounds = 0
            while improved && rounds < 8 {
                improved = false
                rounds += 1
                for parameter in 0..<4 {
                    for direction in [-1.0, 1.0] {
                        var trial = warp
                        switch parameter {
                        case 0: trial.sx += direction * scaleStep
                        case 1: trial.tx += direction * shiftStep
                        case 2: trial.sy += direction * scaleStep
                        default: trial.ty += direction * shiftStep
                        }
                        guard trial.sx > 0.8, trial.sx < 1.25, trial.sy > 0.8, trial.sy < 1.25 else { continue }
                        let trialCost = costOf(trial)
                        if trialCost < cost { cost = trialCost; warp = trial; improved = true }
                    }
                }
            }
            scaleStep /= 2
            shiftStep /= 2
        }
        return warp
    }

    /// Calls `body(k, value)` for every look pixel `k` whose position under `w` falls inside `b`, with `b`
    /// sampled there bilinearly: the one warp both the alignment search and the final residual use.
    @inline(__always)
    static func forEachWarped(_ b: UnsafeBufferPointer<Float>, _ w: Warp, _ body: (Int, Float) -> Void) {
        let n = side
        let c = Double(n - 1) / 2
        for y in 0..<n {
            let yb = w.sy * (Double(y) - c) + c + w.ty
            guard yb >= 0, yb <= Double(n - 1) else { continue }
            let j = min(Int(yb), n - 2), g = Float(yb - Double(j))
            for x in 0..<n {
                let xb = w.sx * (Double(x) - c) + c + w.tx
                guard xb >= 0, xb <= Double(n - 1) else { continue }
                let i = min(Int(xb), n - 2), f = Float(xb - Double(i))
                let top = b[j * n + i] * (1 - f) + b[j * n + i + 1] * f
                let bottom = b[(j + 1) * n + i] * (1 - f) + b[(j + 1) * n + i + 1] * f
                body(y * n + x, top * (1 - g) + bottom * g)
            }
        }
    }

    /// Mean squared residual after a linear brightness fit (in units of `b`'s variance); 9 when under
    /// 70 % of `a` maps inside `b` (no alignment may win by throwing the picture away).
    static func meanSquare(_ a: [Float], _ b: [Float], _ w: Warp) -> Double {
        let n = side
        let c = Double(n - 1) / 2
        // Where each column lands in `b` depends on x only: work it out once, not once per row. The
        // arithmetic and the order of the sums are those of `forEachWarped`, so the cost is identical.
        var columns = (first: n, last: -1)
        var left = [Int](repeating: 0, count: n), weight = [Float](repeating: 0, count: n)
        for x in 0..<n {
            let xb = w.sx * (Double(x) - c) + c + w.tx
            guard xb >= 0, xb <= Double(n - 1) else { continue }
            let i = min(Int(xb), n - 2)
            left[x] = i; weight[x] = Float(xb - Double(i))
            columns.first = min(columns.first, x); columns.last = max(columns.last, x)
        }
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
        if columns.first <= columns.last {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    left.withUnsafeBufferPointer { li in
                        weight.withUnsafeBufferPointer { wf in
                            for y in 0..<n {
                                let yb = w.sy * (Double(y) - c) + c + w.ty
                                guard yb >= 0, yb <= Double(n - 1) else { continue }
                                let j = min(Int(yb), n - 2), g = Float(yb - Double(j))
                                let row = j * n, next = (j + 1) * n
                                for x in columns.first...columns.last {
                                    let i = li[x], f = wf[x]
                                    let top = pb[row + i] * (1 - f) + pb[row + i + 1] * f
                                    let bottom = pb[next + i] * (1 - f) + pb[next + i + 1] * f
                                    let value = top * (1 - g) + bottom * g
                                    let da = Double(pa[y * n + x]), db = Double(value)
                                    sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db; count += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        guard count >= 0.7 * Double(n * n) else { return 9 }
        let varA = max(1e-6, saa / count - (sa / count) * (sa / count))
        let varB = max(1e-6, sbb / count - (sb / count) * (sb / count))
        let cov = sab / count - (sa / count) * (sb / count)
        // Residual variance of b after the best linear fit from a, relative to b's variance.
        return max(0, 1 - cov * cov / (varA * varB))
    }

    /// A 5-tap box blur along (dx, dy): the look of a motion-blurred copy.
    static func smear(_ image: [Float], dx: Int, dy: Int) -> [Float] {
        let n = side
        var out = image
        for y in 0..<n {
            for x in 0..<n {
                var s: Float = 0
                for k in -2...2 {
                    let xx = min(n - 1, max(0, x + k * dx)), yy = min(n - 1, max(0, y + k * dy))
                    s += image[yy * n + xx]
                }
                out[y * n + x] = s / 5
            }
        }
        return out
    }

    /// Separable Gaussian blur of a look.
    static func blur(_ image: [Float], sigma: Double) -> [Float] {
        let n = side
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var tmp = [Float](repeating: 0, count: n * n), out = tmp
        for y in 0..<n {
            for x in 0..<n {
                var s: Float = 0
                for k in -radius...radius { s += kernel[k + radius] * image[y * n + min(n - 1, max(0, x + k))] }
                tmp[y * n + x] = s
            }
        }
        for y in 0..<n {
            for x in 0..<n {
                var s: Float = 0
                for k in -radius...radius { s += kernel[k + radius] * tmp[min(n - 1, max(0, y + k)) * n + x] }
                out[y * n + x] = s
            }
        }
        return out
    }

    /// Best scale and shift mapping profile `a` onto profile `b` by normalised correlation.
    static func align1D(_ a: [Float], _ b: [Float]) -> (Double, Double) {
        let n = a.count
        let c = Double(n - 1) / 2
        var best = (score: -2.0, s: 1.0, t: 0.0)
        // The scaled position of each x depends on the scale only: worked out once per scale, then
        // shifted (the same sums as `s * (x − c) + c + t`, in the same order).
        var scaled = [Double](repeating: 0, count: n)
        for si in -14...14 {
            let s = 1 + Double(si) * 0.01
            for x in 0..<n { scaled[x] = s * (Double(x) - c) + c }
            for ti in -16...16 {
                let t = Double(ti) * 0.5
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
                for x in 0..<n {
                    let xb = scaled[x] + t
                    guard xb >= 0, xb <= Double(n - 1) else { continue }
                    let i = min(Int(xb), n - 2), f = xb - Double(i)
                    let vb = Double(b[i]) * (1 - f) + Double(b[i + 1]) * f
                    let va = Double(a[x])
                    sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb; count += 1
                }
                guard count >= Double(n) * 0.75 else { continue }
                let cov = sab / count - sa * sb / (count * count)
                let va = saa / count - sa * sa / (count * count), vb = sbb / count - sb * sb / (count * count)
                let score = cov / max(1e-9, sqrt(va * vb))
                // Prefer the identity on near ties (flat profiles).
                let penalty = 0.0005 * (abs(Double(si)) + abs(Double(ti)))
                if score - penalty > best.score { best = (score - penalty, s, t) }
            }
        }
        return (best.s, best.t)
    }

    static func residual(_ a: [Float], _ b: [Float], _ w: Warp) -> LookComparison {
        let n = side
        var va = [Float](repeating: 0, count: n * n), vb = va
        var valid = [Bool](repeating: false, count: n * n)
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
        b.withUnsafeBufferPointer { pb in
            forEachWarped(pb, w) { k, value in
                va[k] = a[k]; vb[k] = value; valid[k] = true
                let da = Double(a[k]), db = Double(value)
                sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db; count += 1
            }
        }
        let coverage = count / Double(n * n)
        guard count > 16 else {
            return LookComparison(coverage: coverage, correlation: 0, worstBlock: 9, secondBlock: 9, meanBlock: 9,
                                  scaleX: w.sx, shiftX: w.tx, scaleY: w.sy, shiftY: w.ty)
        }
        var meanA = sa / count, meanB = sb / count
        var varA = max(1e-6, saa / count - meanA * meanA), varB = max(1e-6, sbb / count - meanB * meanB)
        var cov = sab / count - meanA * meanB
        var alpha = cov / varA, beta = meanB - alpha * meanA
        // Refit b ≈ α a + β without the outliers (over 3 RMS off): a bright watermark on a dark photo
        // must not bend the brightness fit and so raise the residual everywhere else.
        var squared = 0.0
        for k in 0..<(n * n) where valid[k] {
            let r = Double(vb[k]) - alpha * Double(va[k]) - beta
            squared += r * r
        }
        let cutoff = 9 * squared / count
        sa = 0; sb = 0; saa = 0; sbb = 0; sab = 0
        var inliers = 0.0
        for k in 0..<(n * n) where valid[k] {
            let da = Double(va[k]), db = Double(vb[k])
            let r = db - alpha * da - beta
            guard r * r <= cutoff else { continue }
            sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db; inliers += 1
        }
        if inliers > 16 {
            meanA = sa / inliers; meanB = sb / inliers
            varA = max(1e-6, saa / inliers - meanA * meanA); varB = max(1e-6, sbb / inliers - meanB * meanB)
            cov = sab / inliers - meanA * meanB
            alpha = cov / varA; beta = meanB - alpha * meanA
        }
        let correlation = cov / sqrt(varA * varB)
        // Residual in units of b's contrast.
        let scale = 1 / sqrt(varB)
        var blocks: [Double] = []
        var inner = 0.0
        let last = n / 8 - 1
        for by in 0..<(n / 8) {
            for bx in 0..<(n / 8) {
                var sum = 0.0, m = 0
                for y in (by * 8)..<(by * 8 + 8) {
                    for x in (bx * 8)..<(bx * 8 + 8) where valid[y * n + x] {
                        let r = (Double(vb[y * n + x]) - alpha * Double(va[y * n + x]) - beta) * scale
                        sum += r * r; m += 1
                    }
                }
                guard m >= 32 else { continue }
                blocks.append(sqrt(sum / Double(m)))
                // Inside the border ring, the worst quarter block: a mouth or an eye is about that big.
                guard bx > 0, by > 0, bx < last, by < last else { continue }
                for qy in 0..<2 {
                    for qx in 0..<2 {
                        var q = 0.0
                        for y in (by * 8 + qy * 4)..<(by * 8 + qy * 4 + 4) {
                            for x in (bx * 8 + qx * 4)..<(bx * 8 + qx * 4 + 4) {
                                let r = (Double(vb[y * n + x]) - alpha * Double(va[y * n + x]) - beta) * scale
                                q += r * r
                            }
                        }
                        inner = max(inner, sqrt(q / 16))
                    }
                }
            }
        }
        blocks.sort(by: >)
        let mean = blocks.isEmpty ? 9 : blocks.reduce(0, +) / Double(blocks.count)
        func quantile(_ q: Double) -> Double {
            blocks.isEmpty ? 9 : blocks[min(blocks.count - 1, Int(Double(blocks.count - 1) * (1 - q)))]
        }
        return LookComparison(coverage: coverage, correlation: alpha > 0 ? correlation : -abs(correlation),
                              worstBlock: blocks.first ?? 9, secondBlock: blocks.count > 1 ? blocks[1] : 9,
                              meanBlock: mean, medianBlock: quantile(0.5), upperBlock: quantile(0.75),
                              innerWorstBlock: inner,
                              scaleX: w.sx, shiftX: w.tx, scaleY: w.sy, shiftY: w.ty)
    }

    /// The look mirrored left–right (to test `mirror_of`).
    public static func mirrored(_ look: [UInt8]) -> [UInt8] {
        let n = side
        var out = look
        for y in 0..<n { for x in 0..<n { out[y * n + x] = look[y * n + n - 1 - x] } }
        return out
    }
}
