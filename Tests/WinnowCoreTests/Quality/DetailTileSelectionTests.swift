import Foundation
import Testing
@testable import WinnowCore

struct DetailTileSelectionTests {
    /// The detail tiles are rounded and clamped eight pixels at a time; every value must come out as the
    /// one-at-a-time `min(255, max(0, v.rounded()))` gives it: halves away from zero, the ends clamped,
    /// whatever the count (a tail of fewer than eight included).
    @Test func tilePixelsAreRoundedAndClampedExactlyAsOneAtATime() {
        var values: [Float] = [0.5, 1.5, 2.5, -0.5, -0.49999997, 0.49999997, 254.5, 255.49, 255.5, 300, -3.5,
                               127.49999, 127.5, 0, -0.0, .nan, .infinity, -.infinity, 1e9, 12.75]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4000 { values.append(Float.random(in: -20...280, using: &generator)) }
        for _ in 0..<1000 { values.append(Float(Int.random(in: -40...560, using: &generator)) / 2) }
        for count in [values.count, 13, 7] {
            let input = Array(values.prefix(count))
            let fast = DetailTileSelection.decoderOutput(input)
            let plain = input.map { min(255, max(0, $0.rounded())) }
            #expect(fast.map(\.bitPattern) == plain.map(\.bitPattern))
        }
    }
}
