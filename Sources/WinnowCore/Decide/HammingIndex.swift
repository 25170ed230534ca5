/// Finds every stored 64-bit hash within a Hamming radius, fast at a million entries.
///
/// Two ways to answer, chosen per query by their expected cost:
/// - multi-index hashing: four 16-bit chunk tables; a hash within r differs in some chunk by at most
///   ⌊r/4⌋ bits, so probing every chunk value within that many bits finds it. Each bucket keeps the
///   full hashes next to the positions, so checking a bucket reads one contiguous run of memory.
/// - a linear scan of the contiguous hash array (about a nanosecond per entry), which wins for the
///   wide radii the second look is fed with, where the probes would touch most buckets anyway.
/// `winnow-bench index` measures both at 1 M hashes.
public struct HammingIndex<Key: Hashable & Sendable>: Sendable {
    struct Entry: Sendable {
        var hash: UInt64
        var position: Int32
    }

    private var hashes: [UInt64] = []
    private var keys: [Key] = []
    /// buckets[chunk << 16 | 16-bit value] → entries.
    private var buckets: [[Entry]] = Array(repeating: [], count: 4 << 16)

    public init() {}

    public var count: Int { hashes.count }

    public mutating func insert(_ hash: UInt64, for key: Key) {
        let position = Int32(hashes.count)
        hashes.append(hash)
        keys.append(key)
        for chunk in 0..<4 { buckets[chunk << 16 | Self.chunk(hash, chunk)].append(Entry(hash: hash, position: position)) }
    }

    /// Keys of hashes within `radius` of `hash`, with their distance (a key stored under several hashes
    /// reports its nearest).
    public func search(_ hash: UInt64, radius: Int) -> [Key: Int] {
        var found: [Key: Int] = [:]
        func report(_ position: Int, _ distance: Int) {
            let key = keys[position]
            if let known = found[key], known <= distance { return }
            found[key] = distance
        }
        guard radius >= 0, !hashes.isEmpty else { return found }
        let perChunk = min(16, radius / 4)
        let masks = Self.masks(upTo: perChunk)
        // Expected cost in "linear-scan entries": a probe is a cache miss (~40 entries' worth) plus the
        // bucket's entries (a few each); the scan is one per stored hash.
        let probes = 4 * masks.count
        let probeCost = probes * 40 + probes * hashes.count / (1 << 16) * 4
        if probeCost >= hashes.count {
            // Collect first, then build the answer: the tight loop stays free of dictionary work.
            // Collect first, then build the answer: the tight loop stays free of dictionary work.
            var hits: [Int] = []
            hashes.withUnsafeBufferPointer { stored in
                // Four independent counts per step keep the (software) popcounts in flight together.
                let whole = stored.count & ~3
                var position = 0
                while position < whole {
                    let d0 = (stored[position] ^ hash).nonzeroBitCount, d1 = (stored[position + 1] ^ hash).nonzeroBitCount
                    let d2 = (stored[position + 2] ^ hash).nonzeroBitCount, d3 = (stored[position + 3] ^ hash).nonzeroBitCount
                    if min(min(d0, d1), min(d2, d3)) <= radius {
                        if d0 <= radius { hits.append(position) }
                        if d1 <= radius { hits.append(position + 1) }
                        if d2 <= radius { hits.append(position + 2) }
                        if d3 <= radius { hits.append(position + 3) }
                    }
                    position += 4
                }
                for rest in whole..<stored.count where (stored[rest] ^ hash).nonzeroBitCount <= radius { hits.append(rest) }
            }
            for position in hits { report(position, (hashes[position] ^ hash).nonzeroBitCount) }
            return found
        }
        for chunk in 0..<4 {
            let value = Self.chunk(hash, chunk)
            for mask in masks {
                for entry in buckets[chunk << 16 | (value ^ Int(mask))] {
                    let distance = (entry.hash ^ hash).nonzeroBitCount
                    guard distance <= radius else { continue }
                    // Reported already from an earlier chunk that was also within reach.
                    if (0..<chunk).contains(where: { Self.chunk(entry.hash ^ hash, $0).nonzeroBitCount <= perChunk }) { continue }
                    report(Int(entry.position), distance)
                }
            }
        }
        return found
    }

    @inline(__always) static func chunk(_ hash: UInt64, _ index: Int) -> Int { Int((hash >> UInt64(16 * index)) & 0xFFFF) }

    /// Every 16-bit mask with at most `bits` set bits.
    static func masks(upTo bits: Int) -> [UInt16] {
        if bits < HammingMasks.cached.count { return HammingMasks.cached[bits] }
        return (0...0xFFFF).filter { $0.nonzeroBitCount <= bits }.map { UInt16($0) }
    }
}

/// Chunk masks by bit count, computed once (generic types cannot hold static stored properties).
private enum HammingMasks {
    static let cached: [[UInt16]] = (0...5).map { b in
        (0...0xFFFF).filter { $0.nonzeroBitCount <= b }.map { UInt16($0) }
    }
}
