import Foundation
import Testing
@testable import WinnowCore

/// The detail spectrum's building blocks on synthetic planes, where the right answer is known exactly.
struct DetailSpectrumTests {
    /// Random 8-bit noise (seeded: the same planes every run).
    static func noise(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<(width * height)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// `noise` made `factor` times bigger by linear interpolation along both axes (an upscale with the
    /// simplest kernel), then cropped by `shift` pixels at the left and top.
    static func upscaledNoise(side: Int, factor: Int, shift: Int) -> (pixels: [UInt8], side: Int) {
        let small = noise(width: side + 1, height: side + 1, seed: 7)
        let big = side * factor - shift
        func sample(_ x: Int, _ y: Int) -> Double {
            let (sx, tx) = ((x + shift) / factor, Double((x + shift) % factor) / Double(factor))
            let (sy, ty) = ((y + shift) / factor, Double((y + shift) % factor) / Double(factor))
            func o(_ i: Int, _ j: Int) -> Double { Double(small[j * (side + 1) + i]) }
            return (o(sx, sy) * (1 - tx) + o(sx + 1, sy) * tx) * (1 - ty) + (o(sx, sy + 1) * (1 - tx) + o(sx + 1, sy + 1) * tx) * ty
        }
        var pixels = [UInt8](repeating: 0, count: big * big)
        for y in 0..<big { for x in 0..<big { pixels[y * big + x] = UInt8(sample(x, y).rounded()) } }
        return (pixels, big)
    }

    static func features(_ pixels: [UInt8], side: Int) throws -> DetailFeatures {
        let spectrum = pixels.withUnsafeBufferPointer { DetailSpectrum.measure(bytes: $0, width: side, height: side) }
        return try #require(DetailFeatures(spectrum))
    }

    @Test func tilesAreScoredByTheSameGradientSumAPixelByPixelLoopGives() {
        let width = 64 * 5, height = 64 * 3
        let pixels = Self.noise(width: width, height: height, seed: 3)
        pixels.withUnsafeBufferPointer { p in
            for (x, y) in [(0, 0), (64, 64), (256, 128), (256, 0)] {
                var plain = 0
                for yy in y..<(y + 63) {
                    for xx in x..<(x + 63) {
                        let c = Int(p[yy * width + xx])
                        plain += abs(Int(p[yy * width + xx + 1]) - c) + abs(Int(p[(yy + 1) * width + xx]) - c)
                    }
                }
                #expect(DetailSpectrum.gradientEnergy(p.baseAddress!, width: width, x: x, y: y) == plain, "tile at \(x), \(y)")
            }
        }
    }

    /// An upscale by p repeats its spectrum every 1/p cycle wherever the tiles fall on its grid: cropped by
    /// one or two pixels, each tile's phase is counted from the image's own grid and still adds up.
    @Test(arguments: [(2, 0), (3, 0), (3, 1), (3, 2), (4, 1)])
    func anUpscaleByAWholeFactorIsFoundAtThatPeriodWhereverItsGridStarts(factor: Int, shift: Int) throws {
        let image = Self.upscaledNoise(side: 600 / factor, factor: factor, shift: shift)
        let features = try Self.features(image.pixels, side: image.side)
        #expect(DetailModel().upscaleFactor(features) == factor, "\(features.periodCoherence ?? [])")
    }

    @Test func realNoiseRepeatsAtNoPeriod() throws {
        let features = try Self.features(Self.noise(width: 600, height: 600, seed: 11), side: 600)
        let coherence = try #require(features.periodCoherence)
        #expect(coherence.allSatisfy { $0 < 0.02 }, "\(coherence)")
        #expect(DetailModel().upscaleFactor(features) == nil)
    }
}
