import Foundation
import Testing
@testable import WinnowCore

/// The second look's shortcuts (variants derived once per file, the alignment cost's per-column table,
/// sums four pixels abreast) must give the figures of the plain computation, exactly or up to Double
/// rounding: duplicate verdicts hang on thresholds.
struct SecondLookTests {
    /// A deterministic look with structure at several scales (gradients, a blob, fine texture).
    static func look(seed: UInt64) -> [UInt8] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let n = SecondLook.side
        return (0..<(n * n)).map { k in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(k % n), y = Double(k / n)
            let blob = 90 * exp(-((x - 20 - Double(seed % 7)) * (x - 20) + (y - 30) * (y - 30)) / 120)
            let noise = Double(state >> 58)
            return UInt8(max(0, min(255, 40 + 1.5 * x + y + blob + noise)))
        }
    }

    /// The warp as first written, pixel by pixel: `body(k, value)` for every look pixel `k` whose position
    /// under `w` falls inside `b`, with `b` sampled there bilinearly. The shortcuts must match it.
    static func forEachWarped(_ b: UnsafeBufferPointer<Float>, _ w: SecondLook.Warp, _ body: (Int, Float) -> Void) {
        let n = SecondLook.side
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

    /// The alignment cost as first written: every pixel through `forEachWarped`.
    static func plainMeanSquare(_ a: [Float], _ b: [Float], _ w: SecondLook.Warp) -> Double {
        let n = SecondLook.side
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
        b.withUnsafeBufferPointer { pb in
            Self.forEachWarped(pb, w) { k, value in
                let da = Double(a[k]), db = Double(value)
                sa += da; sb += db; saa += da * da; sbb += db * db; sab += da * db; count += 1
            }
        }
        guard count >= 0.7 * Double(n * n) else { return 9 }
        let varA = max(1e-6, saa / count - (sa / count) * (sa / count))
        let varB = max(1e-6, sbb / count - (sb / count) * (sb / count))
        let cov = sab / count - (sa / count) * (sb / count)
        return max(0, 1 - cov * cov / (varA * varB))
    }

    @Test func alignmentCostIsThePlainOneUpToDoubleRoundingForEveryWarp() {
        let a = SecondLook.Prepared(Self.look(seed: 1)).soft, b = SecondLook.Prepared(Self.look(seed: 2)).soft
        for sx in stride(from: 0.8, through: 1.25, by: 0.0375) {
            for tx in stride(from: -9.0, through: 9.0, by: 1.25) {
                for (sy, ty) in [(1.0, 0.0), (0.9, 3.5), (1.17, -6.25), (0.82, 12.0)] {
                    let w = SecondLook.Warp(sx: sx, tx: tx, sy: sy, ty: ty)
                    // Summed four pixels abreast: only the last bits of a Double may differ.
                    #expect(abs(SecondLook.meanSquare(a, b, w) - Self.plainMeanSquare(a, b, w)) < 1e-12, "\(w)")
                }
            }
        }
    }

    @Test func aWarpedLookHoldsExactlyThePerPixelSamples() {
        let n = SecondLook.side
        let b = SecondLook.Prepared(Self.look(seed: 5)).soft
        for w in [SecondLook.Warp(), SecondLook.Warp(sx: 1.1, tx: 3.5, sy: 0.93, ty: -2.25),
                  SecondLook.Warp(sx: 0.85, tx: -6, sy: 1.2, ty: 4), SecondLook.Warp(sx: 1.24, tx: 20, sy: 0.81, ty: -30)] {
            var values = [Float](repeating: 0, count: n * n), inside = [Bool](repeating: false, count: n * n)
            b.withUnsafeBufferPointer { pb in
                Self.forEachWarped(pb, w) { k, value in values[k] = value; inside[k] = true }
            }
            let warped = SecondLook.WarpedLook(b, w)
            #expect(warped.values.map(\.bitPattern) == values.map(\.bitPattern), "\(w)")
            #expect(warped.inside == inside && warped.count == inside.filter { $0 }.count && warped.mask == inside.map { $0 ? 1 : 0 })
        }
    }

    @Test func aLookPreparedOnceComparesAsIfPreparedForEachPair() {
        let looks = (0..<4).map { Self.look(seed: UInt64($0)) }
        let prepared = looks.map(SecondLook.Prepared.init)
        for i in looks.indices {
            for j in looks.indices where j != i {
                #expect(SecondLook.compare(prepared[i], prepared[j]) == SecondLook.compare(looks[i], looks[j]))
            }
        }
        let mirrored = SecondLook.Prepared(SecondLook.mirrored(looks[0]))
        #expect(SecondLook.compare(mirrored, prepared[1]) == SecondLook.compare(SecondLook.mirrored(looks[0]), looks[1]))
    }

    @Test func picturesThatCannotBeCopiesAreRuledOutAtTheAlignment() {
        let look = Self.look(seed: 3)
        // A fine wave pattern: nothing of it lines up with the gradients and the blob of `look`.
        let n = SecondLook.side
        let other = (0..<(n * n)).map { k in UInt8(128 + 100 * sin(Double(k % n) / 2) * cos(Double(k / n) / 3)) }
        let comparison = SecondLook.compare(look, other)
        #expect(comparison.alignCost > SecondLook.hopelessStart)
        #expect(comparison.blurMatch == 0)
        #expect(!NearDuplicatePolicy().accepts(comparison))
    }

    @Test func aShiftedCopyIsSearchedInFullAndAccepted() {
        let n = SecondLook.side
        let look = Self.look(seed: 4)
        // The same picture two pixels to the left, the last columns repeated: a crop of a few percent.
        let shifted = (0..<(n * n)).map { k in look[(k / n) * n + min(n - 1, k % n + 2)] }
        let comparison = SecondLook.compare(look, shifted)
        #expect(comparison.alignCost < SecondLook.hopelessAfterCoarseLevel)
        #expect(NearDuplicatePolicy().accepts(comparison), "\(comparison)")
    }

    @Test func keepBestsMeanBlockIsExactlyTheFullComparisonsForCopiesAndStrangers() {
        let n = SecondLook.side
        let look = Self.look(seed: 5)
        let shifted = (0..<(n * n)).map { k in look[(k / n) * n + min(n - 1, k % n + 2)] }
        let stranger = (0..<(n * n)).map { k in UInt8(128 + 100 * sin(Double(k % n) / 2) * cos(Double(k / n) / 3)) }
        let looks = [look, shifted, stranger, Self.look(seed: 6)].map(SecondLook.Prepared.init)
        var hopeless = 0
        for i in looks.indices {
            for j in looks.indices where j != i {
                let full = SecondLook.compare(looks[i], looks[j])
                if full.alignCost > SecondLook.hopelessStart { hopeless += 1 }
                #expect(SecondLook.meanBlock(looks[i], looks[j]) == full.meanBlock, "\(i) \(j)")
            }
        }
        // Both branches of the comparison are covered: ruled out at the alignment, and matched in full.
        #expect(hopeless > 0 && hopeless < 12)
    }

    @Test func lookPreparedOnceAndSharedByThreadsComparesExactlyLikeOnePreparedForEachPair() {
        let looks = (7..<10).map { Self.look(seed: UInt64($0)) }
        let shared = looks.map(SecondLook.Prepared.init)
        let pairs = looks.indices.flatMap { i in looks.indices.filter { $0 != i }.map { (i, $0) } }
        // Several threads at once derive the shared looks' variants on first use.
        let together = concurrentMap(pairs.count, workers: 4) { k in SecondLook.compare(shared[pairs[k].0], shared[pairs[k].1]) }
        for (k, (i, j)) in pairs.enumerated() {
            #expect(together[k] == SecondLook.compare(looks[i], looks[j]))
        }
    }

    /// The brightness fit as first written: one pixel at a time over the pixels inside `b`, then refitted
    /// without those over 3 RMS off.
    static func plainFit(_ a: [Float], _ b: SecondLook.WarpedLook) -> (alpha: Double, beta: Double) {
        func fit(_ keep: (Int) -> Bool) -> (Double, Double, Double) {
            var sa = 0.0, sb = 0.0, saa = 0.0, sab = 0.0, m = 0.0
            for k in a.indices where b.inside[k] && keep(k) {
                let da = Double(a[k]), db = Double(b.values[k])
                sa += da; sb += db; saa += da * da; sab += da * db; m += 1
            }
            let ma = sa / m, mb = sb / m
            let alpha = (sab / m - ma * mb) / max(1e-6, saa / m - ma * ma)
            return (alpha, mb - alpha * ma, m)
        }
        let (alpha, beta, m) = fit { _ in true }
        var squared = 0.0
        for k in a.indices where b.inside[k] {
            let r = Double(b.values[k]) - alpha * Double(a[k]) - beta
            squared += r * r
        }
        let cutoff = 9 * squared / m
        let refit = fit { k in
            let r = Double(b.values[k]) - alpha * Double(a[k]) - beta
            return r * r <= cutoff
        }
        return refit.2 > 16 ? (refit.0, refit.1) : (alpha, beta)
    }

    @Test func brightnessFitIsThePlainOneUpToDoubleRoundingWithOutliersAndBorders() {
        let n = SecondLook.side
        var look = Self.look(seed: 11)
        // A bright stamp: outliers the refit must leave out.
        for y in 50..<60 { for x in 40..<62 { look[y * n + x] = 255 } }
        let a = look.map(Float.init), b = Self.look(seed: 11).map(Float.init)
        for w in [SecondLook.Warp(), SecondLook.Warp(sx: 1.1, tx: 3.5, sy: 0.93, ty: -2.25), SecondLook.Warp(sx: 0.85, tx: -6, sy: 1.2, ty: 4)] {
            let warped = SecondLook.WarpedLook(b, w)
            let fit = SecondLook.Fit(a, warped), plain = Self.plainFit(a, warped)
            #expect(abs(fit.alpha - plain.alpha) < 1e-12 && abs(fit.beta - plain.beta) < 1e-9, "\(w): \(fit.alpha) \(fit.beta) vs \(plain)")
        }
    }
}
