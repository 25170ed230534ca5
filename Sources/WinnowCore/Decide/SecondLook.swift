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
    /// Alignment found: scale and shift per axis (b = s·(a − centre) + centre + t).
    public var scaleX: Double, shiftX: Double, scaleY: Double, shiftY: Double
}

/// Aligns two 64×64 looks (scale and shift per axis, which covers crops, resizes and small reframing)
/// and measures what still differs, globally and per block.
public enum SecondLook {
    static let side = PerceptualHash.lookSide

    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> LookComparison {
        let fa = a.map(Float.init), fb = b.map(Float.init)
        let n = side
        // Axis profiles give a cheap 1-D alignment per axis.
        var colA = [Float](repeating: 0, count: n), colB = colA, rowA = colA, rowB = colA
        for y in 0..<n {
            for x in 0..<n {
                colA[x] += fa[y * n + x]; colB[x] += fb[y * n + x]
                rowA[y] += fa[y * n + x]; rowB[y] += fb[y * n + x]
            }
        }
        let (sx, tx) = align1D(colA, colB)
        let (sy, ty) = align1D(rowA, rowB)
        var best = residual(fa, fb, sx: sx, tx: tx, sy: sy, ty: ty)
        // Refine jointly around the per-axis answer.
        for dsx in [-0.01, 0, 0.01] {
            for dtx in [-0.5, 0, 0.5] {
                for dsy in [-0.01, 0, 0.01] {
                    for dty in [-0.5, 0, 0.5] where !(dsx == 0 && dtx == 0 && dsy == 0 && dty == 0) {
                        let candidate = residual(fa, fb, sx: sx + dsx, tx: tx + dtx, sy: sy + dsy, ty: ty + dty)
                        if candidate.coverage >= 0.7 && candidate.meanBlock < best.meanBlock { best = candidate }
                    }
                }
            }
        }
        return best
    }

    /// Best scale and shift mapping profile `a` onto profile `b` by normalised correlation.
    static func align1D(_ a: [Float], _ b: [Float]) -> (Double, Double) {
        let n = a.count
        let c = Double(n - 1) / 2
        var best = (score: -2.0, s: 1.0, t: 0.0)
        for si in -14...14 {
            let s = 1 + Double(si) * 0.01
            for ti in -16...16 {
                let t = Double(ti) * 0.5
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
                for x in 0..<n {
                    let xb = s * (Double(x) - c) + c + t
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

    static func residual(_ a: [Float], _ b: [Float], sx: Double, tx: Double, sy: Double, ty: Double) -> LookComparison {
        let n = side
        let c = Double(n - 1) / 2
        var va = [Float](repeating: 0, count: n * n), vb = va
        var valid = [Bool](repeating: false, count: n * n)
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
        for y in 0..<n {
            let yb = sy * (Double(y) - c) + c + ty
            guard yb >= 0, yb <= Double(n - 1) else { continue }
            let j = min(Int(yb), n - 2), g = Float(yb - Double(j))
            for x in 0..<n {
                let xb = sx * (Double(x) - c) + c + tx
                guard xb >= 0, xb <= Double(n - 1) else { continue }
                let i = min(Int(xb), n - 2), f = Float(xb - Double(i))
                let top = b[j * n + i] * (1 - f) + b[j * n + i + 1] * f
                let bottom = b[(j + 1) * n + i] * (1 - f) + b[(j + 1) * n + i + 1] * f
                let value = top * (1 - g) + bottom * g
                let k = y * n + x
                va[k] = a[k]; vb[k] = value; valid[k] = true
                let da = Double(a[k]), db = Double(value)
                sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db; count += 1
            }
        }
        let coverage = count / Double(n * n)
        guard count > 16 else {
            return LookComparison(coverage: coverage, correlation: 0, worstBlock: 9, secondBlock: 9, meanBlock: 9,
                                  scaleX: sx, shiftX: tx, scaleY: sy, shiftY: ty)
        }
        let meanA = sa / count, meanB = sb / count
        let varA = max(1e-6, saa / count - meanA * meanA), varB = max(1e-6, sbb / count - meanB * meanB)
        let cov = sab / count - meanA * meanB
        let correlation = cov / sqrt(varA * varB)
        // b ≈ α a + β; residual in units of b's contrast.
        let alpha = cov / varA, beta = meanB - alpha * meanA
        let scale = 1 / sqrt(varB)
        var blocks: [Double] = []
        for by in 0..<(n / 8) {
            for bx in 0..<(n / 8) {
                var sum = 0.0, m = 0
                for y in (by * 8)..<(by * 8 + 8) {
                    for x in (bx * 8)..<(bx * 8 + 8) where valid[y * n + x] {
                        let r = (Double(vb[y * n + x]) - alpha * Double(va[y * n + x]) - beta) * scale
                        sum += r * r; m += 1
                    }
                }
                if m >= 32 { blocks.append(sqrt(sum / Double(m))) }
            }
        }
        blocks.sort(by: >)
        let mean = blocks.isEmpty ? 9 : blocks.reduce(0, +) / Double(blocks.count)
        return LookComparison(coverage: coverage, correlation: alpha > 0 ? correlation : -abs(correlation),
                              worstBlock: blocks.first ?? 9, secondBlock: blocks.count > 1 ? blocks[1] : 9,
                              meanBlock: mean, scaleX: sx, shiftX: tx, scaleY: sy, shiftY: ty)
    }

    /// The look mirrored left–right (to test `mirror_of`).
    public static func mirrored(_ look: [UInt8]) -> [UInt8] {
        let n = side
        var out = look
        for y in 0..<n { for x in 0..<n { out[y * n + x] = look[y * n + n - 1 - x] } }
        return out
    }
}
