import Testing
@testable import WinnowCore

struct HammingIndexTests {
    @Test func findsExactlyTheHashesWithinTheRadius() {
        var index = HammingIndex<Int>()
        var generator = SystemRandomNumberGenerator()
        var hashes: [UInt64] = []
        for i in 0..<20000 {
            let hash = UInt64.random(in: .min ... .max, using: &generator)
            hashes.append(hash)
            index.insert(hash, for: i)
        }
        let query = hashes[7] ^ 0b1011_0000_0000_0000_0001_0000_0000_0000_0000_0000_1000_0000_0000_0000_0001_0001
        // Small radii take the chunk tables, wide ones the linear scan: both must agree with brute force.
        for radius in [3, 7, 12, 22] {
            let expected = Set(hashes.indices.filter { hashes[$0].distance(to: query) <= radius })
            #expect(Set(index.search(query, radius: radius).keys) == expected)
        }
        #expect(index.search(query, radius: 22)[7] == 7)
    }
}
