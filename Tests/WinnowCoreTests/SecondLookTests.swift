import Foundation
import Testing
@testable import WinnowCore

/// The second look's shortcuts (variants derived once per file, the alignment cost's per-column table)
/// must give exactly the figures of the plain computation: duplicate verdicts hang on thresholds.
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

    /// The alignment cost as first written: every pixel through `forEachWarped`.
    static func plainMeanSquare(_ a: [Float], _ b: [Float], _ w: SecondLook.Warp) -> Double {
        let n = SecondLook.side
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
        b.withUnsafeBufferPointer { pb in
            SecondLook.forEachWarped(pb, w) { k, value in
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

    @Test func alignmentCostIsExactlyThePlainOneForEveryWarp() {
        let a = SecondLook.Prepared(Self.look(seed: 1)).soft, b = SecondLook.Prepared(Self.look(seed: 2)).soft
        for sx in stride(from: 0.8, through: 1.25, by: 0.0375) {
            for tx in stride(from: -9.0, through: 9.0, by: 1.25) {
                for (sy, ty) in [(1.0, 0.0), (0.9, 3.5), (1.17, -6.25), (0.82, 12.0)] {
                    let w = SecondLook.Warp(sx: sx, tx: tx, sy: sy, ty: ty)
                    #expect(SecondLook.meanSquare(a, b, w) == Self.plainMeanSquare(a, b, w), "\(w)")
                }
            }
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

    @Test func aSharedLookComparesExactlyLikeOnePreparedForThePair() {
        let looks = (7..<10).map { Self.look(seed: UInt64($0)) }
        let shared = looks.map(SecondLook.SharedLook.init)
        for i in looks.indices {
            for j in looks.indices where j != i {
                #expect(SecondLook.compare(shared[i].prepared, shared[j].prepared) == SecondLook.compare(looks[i], looks[j]))
            }
        }
    }
}
