/// Finds every stored 64-bit hash within a Hamming radius, fast at a million entries
/// (multi-index hashing: four 16-bit chunk tables; a hash within r differs in some chunk by at most r/4).
public struct HammingIndex<Key: Hashable & Sendable>: Sendable {
    private var hashes: [UInt64] = []
    private var keys: [Key] = []
    private var positions: [Key: [Int]] = [:]
    /// tables[chunk][16-bit value] → entry positions.
    private var tables: [[[Int32]]] = Array(repeating: Array(repeating: [], count: 1 << 16), count: 4)

    public init() {}

    public var count: Int { hashes.count }

    public mutating func insert(_ hash: UInt64, for key: Key) {
        let position = hashes.count
        hashes.append(hash)
        keys.append(key)
        positions[key, default: []].append(position)
        for chunk in 0..<4 { tables[chunk][Self.chunk(hash, chunk)].append(Int32(position)) }
    }

    /// Keys of hashes within `radius` of `hash`, with their distance (a key stored under several hashes
    /// reports its nearest).
    public func search(_ hash: UInt64, radius: Int) -> [Key: Int] {
        var found: [Key: Int] = [:]
        let perChunk = radius / 4
        let masks = Self.masks(upTo: perChunk)
        var seen = Set<Int32>()
        for chunk in 0..<4 {
            let value = Self.chunk(hash, chunk)
            for mask in masks {
                for position in tables[chunk][value ^ Int(mask)] where seen.insert(position).inserted {
                    let distance = hashes[Int(position)].distance(to: hash)
                    guard distance <= radius else { continue }
                    let key = keys[Int(position)]
                    found[key] = min(found[key] ?? Int.max, distance)
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
