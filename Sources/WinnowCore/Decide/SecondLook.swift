import Foundation

/// How two looks compare once aligned: the evidence that decides whether a hash candidate is a copy.
public struct LookComparison: Sendable, Equatable, Encodable {
    /// Share of `a`'s look that maps inside `b` after alignment.
    public var coverage: Double
    /// Share of `b`'s look that `a` covers after alignment: low when `a` is a heavy crop of `b` (another
    /// framing of the picture, not a copy "cropped a little").
    public var coverageOfB: Double = 1
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
    /// Share of the softened looks' variance the alignment leaves unexplained (0 = identical).
    public var alignCost: Double = 0
}

/// Aligns two 64×64 looks (scale and shift per axis, which covers crops, resizes and small reframing),
/// factors out a difference in blur, and measures what still differs, globally and per block.
public enum SecondLook {
    static let side = PerceptualHash.lookSide

    /// Blurs tried on either side when matching sharpness (look pixels).
    static let blurs: [Double] = [0.7, 1.4]

    /// One look with everything the comparison derives from it alone, so a file compared with many
    /// others derives it once, not once per pair. The blurred and smeared variants are derived on first
    /// use: a pair the alignment already rules out never needs them. Threads may share one: the variants
    /// are derived under a lock, once.
    public final class Prepared: @unchecked Sendable {
        let raw: [Float]
        /// Softened (σ = 1): what the alignment locks on.
        let soft: [Float]
        /// Column and row sums of `soft`: the profiles the alignment starts from.
        let columns: [Float], rows: [Float]
        private let lock = NSLock()
        private var derivedBlurred: [[Float]]?
        private var derivedSmeared: [[Float]]?
        /// One per `SecondLook.blurs`.
        var blurred: [[Float]] {
            lock.lock(); defer { lock.unlock() }
            if let derivedBlurred { return derivedBlurred }
            let variants = SecondLook.blurs.map { SecondLook.blur(raw, sigma: $0) }
            derivedBlurred = variants
            return variants
        }
        /// One per `SecondLook.smears`.
        var smeared: [[Float]] {
            lock.lock(); defer { lock.unlock() }
            if let derivedSmeared { return derivedSmeared }
            let variants = SecondLook.smears.map { SecondLook.smear(raw, dx: $0.0, dy: $0.1) }
            derivedSmeared = variants
            return variants
        }

        public init(_ look: [UInt8]) {
            raw = look.map(Float.init)
            soft = SecondLook.blur(raw, sigma: 1.0)
            (columns, rows) = SecondLook.profiles(soft)
        }
    }

    /// Alignment costs past which a pair is not a copy: checked on the better of the identity and the
    /// profile alignment, before the search, and again after the search's first, coarsest level. On
    /// DEV (3667 candidate pairs accepted as copies, `winnow-bench group FACTS --pairs OUT`) no copy
    /// starts above 0.14 or stays above 0.035 after that level, while over half of the distinct
    /// candidates start above 0.6: margins of 4× and 7×. Those pairs skip the rest of the search and
    /// the blur matching, which is most of what the second look costs on a folder of distinct photos.
    static let hopelessStart = 0.6
    static let hopelessAfterCoarseLevel = 0.25

    /// Directions of the motion blur tried on either side.
    static let smears: [(Int, Int)] = [(1, 0), (0, 1), (1, 1), (1, -1)]

    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> LookComparison {
        compare(Prepared(a), Prepared(b))
    }

    /// `compare` on prepared looks: the same result, without deriving the variants again.
    public static func compare(_ a: Prepared, _ b: Prepared) -> LookComparison {
        let alignment = align(a, b)
        let warpedB = WarpedLook(b.raw, alignment.warp)
        if alignment.hopeless {
            var plain = residual(a.raw, warpedB)
            plain.alignCost = alignment.cost
            return plain
        }
        let (chosen, _) = bestMatch(a, b, alignment.warp, warpedB)
        var best = residual(chosen.a, chosen.b)
        best.blurMatch = chosen.blurMatch
        best.alignCost = alignment.cost
        return best
    }

    /// `compare(a, b).meanBlock`, without the full measurement of the best match: the mean block
    /// residual is what ranked the matches, so the lowest rank is that figure, bit for bit (the same
    /// fit of the same looks, its blocks summed in the same order). What keep-best's medoid needs.
    public static func meanBlock(_ a: Prepared, _ b: Prepared) -> Double {
        let alignment = align(a, b)
        let warpedB = WarpedLook(b.raw, alignment.warp)
        if alignment.hopeless { return Fit(a.raw, warpedB).meanBlock() }
        return bestMatch(a, b, alignment.warp, warpedB).meanBlock
    }

    /// Of every way of matching the aligned looks, the one with the lowest mean block residual.
    static func bestMatch(_ a: Prepared, _ b: Prepared, _ warp: Warp, _ warpedB: WarpedLook)
        -> (match: (a: [Float], b: WarpedLook, blurMatch: Double), meanBlock: Double) {
        let fa = a.raw
        // Every way of matching the two (blur either side, soften both, smear either side) is scored by
        // its mean block residual alone; only the best is measured in full.
        var candidates: [(a: [Float], b: WarpedLook, blurMatch: Double)] = [(fa, warpedB, 0)]
        for (s, sigma) in blurs.enumerated() {
            candidates.append((a.blurred[s], warpedB, sigma))
            candidates.append((fa, WarpedLook(b.blurred[s], warp), -sigma))
        }
        // Both softened alike: a crop or resize samples the picture on another pixel grid, and the
        // aliasing that leaves in a 64-pixel look is not a difference in content.
        candidates.append((a.soft, WarpedLook(b.soft, warp), 0.5))
        // Motion blur (a shaky video frame) smears along one direction.
        for d in smears.indices {
            candidates.append((a.smeared[d], warpedB, 10))
            candidates.append((fa, WarpedLook(b.smeared[d], warp), -10))
        }
        var chosen = 0, lowest = Double.infinity
        for (c, candidate) in candidates.enumerated() {
            let mean = Fit(candidate.a, candidate.b).meanBlock()
            if mean < lowest { lowest = mean; chosen = c }
        }
        // Only when every rank is NaN does nothing beat infinity; the full measurement then says NaN too.
        return (candidates[chosen], lowest.isFinite ? lowest : .nan)
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

    /// The warp mapping `a` into `b`, its cost (`meanSquare` of the softened looks), and whether the
    /// search gave up because no copy fits that badly (`hopelessStart`, `hopelessAfterCoarseLevel`).
    struct Alignment {
        var warp: Warp
        var cost: Double
        var hopeless: Bool
    }

    /// Column and row sums of a look.
    static func profiles(_ look: [Float]) -> (columns: [Float], rows: [Float]) {
        let n = side
        var columns = [Float](repeating: 0, count: n), rows = columns
        for y in 0..<n {
            for x in 0..<n {
                columns[x] += look[y * n + x]
                rows[y] += look[y * n + x]
            }
        }
        return (columns, rows)
    }

    /// Coarse-to-fine pattern search on the mean squared residual of the softened looks, started from
    /// the per-axis profile alignment and from the identity (whichever fits better).
    static func align(_ pa: Prepared, _ pb: Prepared) -> Alignment {
        let a = pa.soft, b = pb.soft
        let (sx, tx) = align1D(pa.columns, pb.columns)
        let (sy, ty) = align1D(pa.rows, pb.rows)
        // The search steps back onto warps it has already costed (the reverse of the move it just
        // made): look those up instead of warping the look again. Same warp, same cost. And a step in
        // y keeps the x scale and shift: the columns sampled for them serve again.
        var costed: [WarpKey: Double] = [:]
        var sampled: [WarpKey: ColumnSampling] = [:]
        func costOf(_ w: Warp) -> Double {
            let key = WarpKey(w)
            if let known = costed[key] { return known }
            let columnsKey = WarpKey(Warp(sx: w.sx, tx: w.tx, sy: 0, ty: 0))
            let columns = sampled[columnsKey] ?? ColumnSampling(b, sx: w.sx, tx: w.tx)
            sampled[columnsKey] = columns
            let value = meanSquare(a, columns, w)
            costed[key] = value
            return value
        }
        var warp = Warp()
        var cost = costOf(warp)
        let profile = Warp(sx: sx, tx: tx, sy: sy, ty: ty)
        let profileCost = costOf(profile)
        if profileCost < cost { warp = profile; cost = profileCost }
        if cost > hopelessStart { return Alignment(warp: warp, cost: cost, hopeless: true) }
        var scaleStep = 0.02, shiftStep = 1.0
        for level in 0..<4 {
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
            if level == 0 && cost > hopelessAfterCoarseLevel { return Alignment(warp: warp, cost: cost, hopeless: true) }
            scaleStep /= 2
            shiftStep /= 2
        }
        return Alignment(warp: warp, cost: cost, hopeless: false)
    }

    /// Mean squared residual after a linear brightness fit (in units of `b`'s variance); 9 when under
    /// 70 % of `a` maps inside `b` (no alignment may win by throwing the picture away).
    ///
    /// Each sample of `b` is a per-pixel bilinear sample's, bit for bit (the same Float arithmetic, lane
    /// by lane); the sums run four pixels abreast in Double, so they differ from a one-by-one sum only in
    /// the last bits (Double rounding, ~1e-16 of the cost): the search's steps and its outcome on DEV are
    /// unchanged, at about half the cost of the one-by-one loop.
    static func meanSquare(_ a: [Float], _ b: [Float], _ w: Warp) -> Double {
        meanSquare(a, ColumnSampling(b, sx: w.sx, tx: w.tx), w)
    }

    /// Every row of a look sampled at the columns a warp's x scale and shift map to: the horizontal half
    /// of its bilinear sampling. A pixel's top and bottom samples are two of these rows (the very floats
    /// the per-pixel form computes), so `meanSquare` reads them four abreast instead of gathering four
    /// neighbours per pixel, and warps that differ only in y (half the alignment search's steps) share them.
    struct ColumnSampling {
        /// Inside `b`, the columns are one run (the warp is monotonic in x): first...last, empty when
        /// first > last.
        let first: Int
        let last: Int
        let across: [Float]

        init(_ b: [Float], sx: Double, tx: Double) {
            let n = side
            let c = Double(n - 1) / 2
            // Where each column lands in `b` depends on x only: worked out once, not once per row.
            var first = n, last = -1
            var left = [Int](repeating: 0, count: n), weight = [Float](repeating: 0, count: n)
            for x in 0..<n {
                let xb = sx * (Double(x) - c) + c + tx
                guard xb >= 0, xb <= Double(n - 1) else { continue }
                let i = min(Int(xb), n - 2)
                left[x] = i; weight[x] = Float(xb - Double(i))
                first = min(first, x); last = max(last, x)
            }
            var across = [Float](repeating: 0, count: first <= last ? n * n : 0)
            if first <= last {
                b.withUnsafeBufferPointer { pb in
                    across.withUnsafeMutableBufferPointer { out in
                        for j in 0..<n {
                            let row = pb.baseAddress! + j * n, line = out.baseAddress! + j * n
                            for x in first...last {
                                let i = left[x], f = weight[x]
                                line[x] = row[i] * (1 - f) + row[i + 1] * f
                            }
                        }
                    }
                }
            }
            self.first = first
            self.last = last
            self.across = across
        }
    }

    /// `meanSquare` of `a` against `b` already sampled at `w`'s columns.
    static func meanSquare(_ a: [Float], _ columns: ColumnSampling, _ w: Warp) -> Double {
        let n = side
        let c = Double(n - 1) / 2
        let first = columns.first, last = columns.last, across = columns.across
        guard first <= last else { return 9 }
        var rowsInside = 0
        var sa = SIMD4<Double>(), sb = SIMD4<Double>(), saa = SIMD4<Double>(), sbb = SIMD4<Double>(), sab = SIMD4<Double>()
        var ta = 0.0, tb = 0.0, taa = 0.0, tbb = 0.0, tab = 0.0
        let wide = (last - first + 1) / 4 * 4
        a.withUnsafeBufferPointer { pa in
            across.withUnsafeBufferPointer { ph in
                for y in 0..<n {
                    let yb = w.sy * (Double(y) - c) + c + w.ty
                    guard yb >= 0, yb <= Double(n - 1) else { continue }
                    rowsInside += 1
                    let j = min(Int(yb), n - 2), g = Float(yb - Double(j))
                    let top = UnsafeRawPointer(ph.baseAddress! + j * n), bottom = top + 4 * n
                    let ra = UnsafeRawPointer(pa.baseAddress! + y * n)
                    var x = first
                    while x < first + wide {
                        let t = top.loadUnaligned(fromByteOffset: 4 * x, as: SIMD4<Float>.self)
                        let u = bottom.loadUnaligned(fromByteOffset: 4 * x, as: SIMD4<Float>.self)
                        let value = t * (1 - g) + u * g
                        let va = ra.loadUnaligned(fromByteOffset: 4 * x, as: SIMD4<Float>.self)
                        let da = SIMD4<Double>(Double(va[0]), Double(va[1]), Double(va[2]), Double(va[3]))
                        let db = SIMD4<Double>(Double(value[0]), Double(value[1]), Double(value[2]), Double(value[3]))
                        sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db
                        x += 4
                    }
                    while x <= last {
                        let da = Double(pa[y * n + x]), db = Double(ph[j * n + x] * (1 - g) + ph[(j + 1) * n + x] * g)
                        ta += da; tb += db; taa += da * da; tbb += db * db; tab += da * db
                        x += 1
                    }
                }
            }
        }
        let count = Double(rowsInside * (last - first + 1))
        guard count >= 0.7 * Double(n * n) else { return 9 }
        let ma = (sa.sum() + ta) / count, mb = (sb.sum() + tb) / count
        let varA = max(1e-6, (saa.sum() + taa) / count - ma * ma)
        let varB = max(1e-6, (sbb.sum() + tbb) / count - mb * mb)
        let cov = (sab.sum() + tab) / count - ma * mb
        // Residual variance of b after the best linear fit from a, relative to b's variance.
        return max(0, 1 - cov * cov / (varA * varB))
    }

    /// A 5-tap box blur along (dx, dy): the look of a motion-blurred copy.
    static func smear(_ image: [Float], dx: Int, dy: Int) -> [Float] {
        let n = side
        var out = [Float](repeating: 0, count: n * n)
        image.withUnsafeBufferPointer { pi in
            out.withUnsafeMutableBufferPointer { po in
                for y in 0..<n {
                    let row = po.baseAddress! + y * n
                    for k in -2...2 {
                        let source = pi.baseAddress! + min(n - 1, max(0, y + k * dy)) * n
                        addShifted(source, by: k * dx, weight: 1, into: row)
                    }
                    for x in 0..<n { row[x] /= 5 }
                }
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
        image.withUnsafeBufferPointer { pi in
            tmp.withUnsafeMutableBufferPointer { pt in
                for y in 0..<n {
                    for k in -radius...radius {
                        addShifted(pi.baseAddress! + y * n, by: k, weight: kernel[k + radius], into: pt.baseAddress! + y * n)
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { pt in
            out.withUnsafeMutableBufferPointer { po in
                for y in 0..<n {
                    let row = po.baseAddress! + y * n
                    for k in -radius...radius {
                        let source = pt.baseAddress! + min(n - 1, max(0, y + k)) * n
                        let weight = kernel[k + radius]
                        for x in 0..<n { row[x] += weight * source[x] }
                    }
                }
            }
        }
        return out
    }

    /// `row[x] += weight · source[x + shift]` along one look row, the index clamped to the row: one tap
    /// of a filter for every pixel at once (each pixel still sums its taps in order).
    @inline(__always)
    static func addShifted(_ source: UnsafePointer<Float>, by shift: Int, weight: Float, into row: UnsafeMutablePointer<Float>) {
        let n = side
        let first = max(0, -shift), last = min(n, n - shift)
        for x in 0..<first { row[x] += weight * source[0] }
        for x in first..<last { row[x] += weight * source[x + shift] }
        for x in max(first, last)..<n { row[x] += weight * source[n - 1] }
    }

    /// Best scale and shift mapping profile `a` onto profile `b` by normalised correlation: scales
    /// 0.86–1.14 in steps of 0.01, shifts ±8 in steps of 0.5, searched on every other step first and then
    /// around the best of those (a third of the work; the pattern search refines the result anyway).
    static func align1D(_ a: [Float], _ b: [Float]) -> (Double, Double) {
        let n = a.count
        let c = Double(n - 1) / 2
        var best = (score: -2.0, si: 0, ti: 0)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                func consider(_ si: Int, _ ti: Int) {
                    let s = 1 + Double(si) * 0.01, t = Double(ti) * 0.5
                    var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
                    for x in 0..<n {
                        let xb = s * (Double(x) - c) + c + t
                        guard xb >= 0, xb <= Double(n - 1) else { continue }
                        let i = min(Int(xb), n - 2), f = xb - Double(i)
                        let vb = Double(pb[i]) * (1 - f) + Double(pb[i + 1]) * f
                        let va = Double(pa[x])
                        sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb; count += 1
                    }
                    guard count >= Double(n) * 0.75 else { return }
                    let cov = sab / count - sa * sb / (count * count)
                    let va = saa / count - sa * sa / (count * count), vb = sbb / count - sb * sb / (count * count)
                    let score = cov / max(1e-9, sqrt(va * vb))
                    // Prefer the identity on near ties (flat profiles).
                    let penalty = 0.0005 * Double(abs(si) + abs(ti))
                    if score - penalty > best.score { best = (score - penalty, si, ti) }
                }
                for si in stride(from: -14, through: 14, by: 2) {
                    for ti in stride(from: -16, through: 16, by: 2) { consider(si, ti) }
                }
                let coarse = best
                for si in max(-14, coarse.si - 1)...min(14, coarse.si + 1) {
                    for ti in max(-16, coarse.ti - 1)...min(16, coarse.ti + 1) where (si - coarse.si) % 2 != 0 || (ti - coarse.ti) % 2 != 0 {
                        consider(si, ti)
                    }
                }
            }
        }
        return (1 + Double(best.si) * 0.01, Double(best.ti) * 0.5)
    }

    /// `b` sampled under a warp at each pixel of `a`'s grid (0 where it falls outside `b`).
    struct WarpedLook {
        let warp: Warp
        var values: [Float]
        var inside: [Bool]
        /// `inside` as 1 and 0, for the fit's four-abreast sums.
        var mask: [Float]
        var count = 0

        /// `b` sampled bilinearly under `w`, from the columns sampled once per row
        /// (`ColumnSampling`) and then blended down the rows.
        init(_ b: [Float], _ w: Warp) {
            let n = side
            let c = Double(n - 1) / 2
            let columns = ColumnSampling(b, sx: w.sx, tx: w.tx)
            warp = w
            values = [Float](repeating: 0, count: n * n)
            inside = [Bool](repeating: false, count: n * n)
            mask = [Float](repeating: 0, count: n * n)
            guard columns.first <= columns.last else { return }
            let first = columns.first, last = columns.last
            var count = 0
            values.withUnsafeMutableBufferPointer { out in
                inside.withUnsafeMutableBufferPointer { flags in
                    mask.withUnsafeMutableBufferPointer { ones in
                        columns.across.withUnsafeBufferPointer { across in
                            for y in 0..<n {
                                let yb = w.sy * (Double(y) - c) + c + w.ty
                                guard yb >= 0, yb <= Double(n - 1) else { continue }
                                let j = min(Int(yb), n - 2), g = Float(yb - Double(j))
                                let top = across.baseAddress! + j * n, bottom = top + n
                                for x in first...last {
                                    out[y * n + x] = top[x] * (1 - g) + bottom[x] * g
                                    flags[y * n + x] = true
                                    ones[y * n + x] = 1
                                }
                                count += last - first + 1
                            }
                        }
                    }
                }
            }
            self.count = count
        }
    }

    /// `b ≈ α a + β` fitted over the pixels where `b` is defined, refitted without the outliers.
    struct Fit {
        let a: [Float], b: WarpedLook
        var alpha = 0.0, beta = 0.0, correlation = 0.0, scale = 0.0
        /// Too little overlap to fit.
        var degenerate = false

        init(_ a: [Float], _ b: WarpedLook) {
            self.a = a
            self.b = b
            let total = side * side
            let count = Double(b.count)
            guard b.count > 16 else { degenerate = true; return }
            var meanA = 0.0, meanB = 0.0, varA = 0.0, varB = 0.0, cov = 0.0
            // Four pixels abreast, in Double: outside `b` both looks read 0 (masked), which adds nothing to
            // a sum. Per pixel the arithmetic is the one-by-one loop's; only the order of the sums differs
            // (the last bits of a Double).
            a.withUnsafeBufferPointer { pa in
                b.values.withUnsafeBufferPointer { pb in
                    b.mask.withUnsafeBufferPointer { pm in
                        let ra = UnsafeRawPointer(pa.baseAddress!), rb = UnsafeRawPointer(pb.baseAddress!)
                        let rm = UnsafeRawPointer(pm.baseAddress!)
                        @inline(__always) func lanes(_ k: Int) -> (a: SIMD4<Double>, b: SIMD4<Double>, inside: SIMDMask<SIMD4<Int64>>) {
                            let m = rm.loadUnaligned(fromByteOffset: 4 * k, as: SIMD4<Float>.self)
                            let va = ra.loadUnaligned(fromByteOffset: 4 * k, as: SIMD4<Float>.self) * m
                            let vb = rb.loadUnaligned(fromByteOffset: 4 * k, as: SIMD4<Float>.self)
                            return (SIMD4<Double>(Double(va[0]), Double(va[1]), Double(va[2]), Double(va[3])),
                                    SIMD4<Double>(Double(vb[0]), Double(vb[1]), Double(vb[2]), Double(vb[3])),
                                    SIMD4<Double>(Double(m[0]), Double(m[1]), Double(m[2]), Double(m[3])) .> 0)
                        }
                        var sa = SIMD4<Double>(), sb = sa, saa = sa, sbb = sa, sab = sa
                        for k in stride(from: 0, to: total, by: 4) {
                            let (da, db, _) = lanes(k)
                            sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db
                        }
                        meanA = sa.sum() / count; meanB = sb.sum() / count
                        varA = max(1e-6, saa.sum() / count - meanA * meanA); varB = max(1e-6, sbb.sum() / count - meanB * meanB)
                        cov = sab.sum() / count - meanA * meanB
                        var alpha = cov / varA, beta = meanB - alpha * meanA
                        // Refit without the outliers (over 3 RMS off): a bright watermark on a dark photo
                        // must not bend the brightness fit and so raise the residual everywhere else.
                        var squared = SIMD4<Double>()
                        for k in stride(from: 0, to: total, by: 4) {
                            let (da, db, inside) = lanes(k)
                            let r = (db - alpha * da - beta).replacing(with: 0, where: .!inside)
                            squared += r * r
                        }
                        let cutoff = 9 * squared.sum() / count
                        sa = SIMD4<Double>(); sb = sa; saa = sa; sbb = sa; sab = sa
                        var inliers = SIMD4<Double>()
                        for k in stride(from: 0, to: total, by: 4) {
                            var (da, db, inside) = lanes(k)
                            let r = db - alpha * da - beta
                            let keep = inside .& (r * r .<= cutoff)
                            da.replace(with: 0, where: .!keep)
                            db.replace(with: 0, where: .!keep)
                            sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db
                            inliers += SIMD4<Double>().replacing(with: 1, where: keep)
                        }
                        let kept = inliers.sum()
                        if kept > 16 {
                            meanA = sa.sum() / kept; meanB = sb.sum() / kept
                            varA = max(1e-6, saa.sum() / kept - meanA * meanA); varB = max(1e-6, sbb.sum() / kept - meanB * meanB)
                            cov = sab.sum() / kept - meanA * meanB
                            alpha = cov / varA; beta = meanB - alpha * meanA
                        }
                        self.alpha = alpha
                        self.beta = beta
                    }
                }
            }
            correlation = cov / sqrt(varA * varB)
            // Residuals in units of b's contrast.
            scale = 1 / sqrt(varB)
        }

        /// Residual of pixel `k` in units of b's contrast (pixels outside `b` count as 0 on both sides).
        @inline(__always)
        func residual(_ pa: UnsafeBufferPointer<Float>, _ pb: UnsafeBufferPointer<Float>, _ inside: UnsafeBufferPointer<Bool>, _ k: Int) -> Double {
            let va = inside[k] ? Double(pa[k]) : 0, vb = inside[k] ? Double(pb[k]) : 0
            return (vb - alpha * va - beta) * scale
        }

        /// RMS residual of every 8×8 block with at least half its pixels inside `b`, largest first; with
        /// `inner`, also the worst 4×4 quarter of the blocks inside the border ring.
        func blocks(inner: Bool) -> (blocks: [Double], innerWorst: Double) {
            let n = side, last = n / 8 - 1
            var blocks: [Double] = []
            blocks.reserveCapacity(last * last + 2 * last + 1)
            var innerWorst = 0.0
            a.withUnsafeBufferPointer { pa in
                b.values.withUnsafeBufferPointer { pb in
                    b.inside.withUnsafeBufferPointer { inside in
                        for by in 0...last {
                            for bx in 0...last {
                                var sum = 0.0, m = 0
                                for y in (by * 8)..<(by * 8 + 8) {
                                    for x in (bx * 8)..<(bx * 8 + 8) where inside[y * n + x] {
                                        let r = residual(pa, pb, inside, y * n + x)
                                        sum += r * r; m += 1
                                    }
                                }
                                guard m >= 32 else { continue }
                                blocks.append(sqrt(sum / Double(m)))
                                // Inside the border ring, the worst quarter block: a mouth or an eye is about that big.
                                guard inner, bx > 0, by > 0, bx < last, by < last else { continue }
                                for qy in 0..<2 {
                                    for qx in 0..<2 {
                                        var q = 0.0
                                        for y in (by * 8 + qy * 4)..<(by * 8 + qy * 4 + 4) {
                                            for x in (bx * 8 + qx * 4)..<(bx * 8 + qx * 4 + 4) {
                                                let r = residual(pa, pb, inside, y * n + x)
                                                q += r * r
                                            }
                                        }
                                        innerWorst = max(innerWorst, sqrt(q / 16))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            blocks.sort(by: >)
            return (blocks, innerWorst)
        }

        /// Mean block residual: what ranks the ways of matching two looks.
        func meanBlock() -> Double {
            guard !degenerate else { return 9 }
            let sorted = blocks(inner: false).blocks
            return sorted.isEmpty ? 9 : sorted.reduce(0, +) / Double(sorted.count)
        }
    }

    /// The full comparison of `a` with warped `b`.
    static func residual(_ a: [Float], _ b: WarpedLook) -> LookComparison {
        let n = side, w = b.warp
        let coverage = Double(b.count) / Double(n * n)
        let fit = Fit(a, b)
        guard !fit.degenerate else {
            return LookComparison(coverage: coverage, coverageOfB: coverageOfB(w), correlation: 0, worstBlock: 9,
                                  secondBlock: 9, meanBlock: 9, scaleX: w.sx, shiftX: w.tx, scaleY: w.sy, shiftY: w.ty)
        }
        let (blocks, inner) = fit.blocks(inner: true)
        let mean = blocks.isEmpty ? 9 : blocks.reduce(0, +) / Double(blocks.count)
        func quantile(_ q: Double) -> Double {
            blocks.isEmpty ? 9 : blocks[min(blocks.count - 1, Int(Double(blocks.count - 1) * (1 - q)))]
        }
        return LookComparison(coverage: coverage, coverageOfB: coverageOfB(w),
                              correlation: fit.alpha > 0 ? fit.correlation : -abs(fit.correlation),
                              worstBlock: blocks.first ?? 9, secondBlock: blocks.count > 1 ? blocks[1] : 9,
                              meanBlock: mean, medianBlock: quantile(0.5), upperBlock: quantile(0.75),
                              innerWorstBlock: inner,
                              scaleX: w.sx, shiftX: w.tx, scaleY: w.sy, shiftY: w.ty)
    }

    /// Share of `b`'s look pixels that `w` reaches from inside `a` (the inverse warp, an axis at a time).
    static func coverageOfB(_ w: Warp) -> Double {
        let n = side, c = Double(n - 1) / 2
        func axis(_ scale: Double, _ shift: Double) -> Double {
            let inside = (0..<n).filter { xb in
                let xa = (Double(xb) - c - shift) / scale + c
                return xa >= 0 && xa <= Double(n - 1)
            }
            return Double(inside.count) / Double(n)
        }
        return axis(w.sx, w.tx) * axis(w.sy, w.ty)
    }

    /// The look mirrored left–right (to test `mirror_of`).
    public static func mirrored(_ look: [UInt8]) -> [UInt8] {
        let n = side
        var out = look
        for y in 0..<n { for x in 0..<n { out[y * n + x] = look[y * n + n - 1 - x] } }
        return out
    }
}
