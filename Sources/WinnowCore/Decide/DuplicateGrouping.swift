import Foundation

/// Judges duplicates among a set of analysed images at once (`winnow scan`): exact copies by sha256,
/// near-duplicate groups by hash lookup + second look, the best copy of each group, and mirrors.
public struct DuplicateGrouping: Sendable {
    public var policy: NearDuplicatePolicy
    /// Also give a second look to pairs whose answer cannot change the groups (already in one group,
    /// or both already mirrored): every candidate pair then appears in `pairs`, for tuning.
    public var comparesEveryCandidate: Bool

    public init(policy: NearDuplicatePolicy = NearDuplicatePolicy(), comparesEveryCandidate: Bool = false) {
        self.policy = policy
        self.comparesEveryCandidate = comparesEveryCandidate
    }

    /// One compared candidate pair (for tuning and `--pairs`).
    public struct ComparedPair: Sendable, Encodable {
        public var a: Int, b: Int
        public var hashDistance: Int
        public var mirrored: Bool
        public var accepted: Bool
        public var comparison: LookComparison
    }

    public struct Result: Sendable {
        /// Per input: index of the byte-identical file it copies.
        public var exactDuplicateOf: [Int?]
        /// Per input: index of the kept copy of its near-duplicate group (nil for the kept one).
        public var nearDuplicateOf: [Int?]
        /// Per input: the group (index of its kept copy), nil outside any group.
        public var cluster: [Int?]
        /// Per input: index of an image it mirrors.
        public var mirrorOf: [Int?]
        public var pairs: [ComparedPair]
    }

    /// `items[i]` is nil for files that could not be analysed; earlier items win exact-duplicate ties.
    public func group(_ items: [ImageFacts?]) -> Result {
        let n = items.count
        var exact = [Int?](repeating: nil, count: n)
        var firstBySha: [String: Int] = [:]
        var representatives: [Int] = []
        for (i, facts) in items.enumerated() {
            guard let facts else { continue }
            if let first = firstBySha[facts.sha256] { exact[i] = first } else {
                firstBySha[facts.sha256] = i
                representatives.append(i)
            }
        }
        var index = HammingIndex<Int>()
        for i in representatives {
            if let hash = items[i]?.quality?.phash.flatMap(UInt64.init(hex:)) { index.insert(hash, for: i) }
        }
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        var mirror = [Int?](repeating: nil, count: n)
        var pairs: [ComparedPair] = []
        for i in representatives {
            guard let qi = items[i]?.quality, let li = qi.lookBytes else { continue }
            let lookups: [(UInt64?, Bool)] = [(qi.phash.flatMap(UInt64.init(hex:)), false),
                                              (qi.phashMirror.flatMap(UInt64.init(hex:)), true)]
            // Derived once per file and side, not once per pair.
            var preparedDirect: SecondLook.Prepared?, preparedMirrored: SecondLook.Prepared?
            for (hash, mirrored) in lookups {
                guard let hash else { continue }
                for (j, distance) in index.search(hash, radius: policy.candidateRadius) where j > i {
                    guard let lj = items[j]?.quality?.lookBytes, lj.count == li.count else { continue }
                    // Most candidates are copies within one big group: once linked, looking again is waste.
                    if !comparesEveryCandidate {
                        if !mirrored && find(i) == find(j) { continue }
                        if mirrored && mirror[i] != nil && mirror[j] != nil { continue }
                    }
                    let prepared: SecondLook.Prepared
                    if mirrored {
                        prepared = preparedMirrored ?? SecondLook.Prepared(SecondLook.mirrored(li))
                        preparedMirrored = prepared
                    } else {
                        prepared = preparedDirect ?? SecondLook.Prepared(li)
                        preparedDirect = prepared
                    }
                    let comparison = SecondLook.compare(prepared, SecondLook.Prepared(lj))
                    let accepted = policy.accepts(comparison)
                    pairs.append(ComparedPair(a: i, b: j, hashDistance: distance, mirrored: mirrored,
                                              accepted: accepted, comparison: comparison))
                    guard accepted else { continue }
                    if mirrored {
                        if mirror[j] == nil { mirror[j] = i }
                        if mirror[i] == nil { mirror[i] = j }
                    } else {
                        parent[find(i)] = find(j)
                    }
                }
            }
        }
        // Keep-best per group of representatives.
        var groups: [Int: [Int]] = [:]
        for i in representatives { groups[find(i), default: []].append(i) }
        var near = [Int?](repeating: nil, count: n)
        var cluster = [Int?](repeating: nil, count: n)
        for members in groups.values where members.count > 1 {
            let kept = members[KeepBest.choose(members.map { items[$0]! })]
            for m in members {
                cluster[m] = kept
                if m != kept { near[m] = kept }
            }
        }
        for i in 0..<n {
            guard let original = exact[i] else { continue }
            cluster[i] = cluster[original]
        }
        // A mirror is reported against the kept copy of the mirrored group.
        for i in 0..<n { if let m = mirror[i] { mirror[i] = cluster[m] ?? m } }
        return Result(exactDuplicateOf: exact, nearDuplicateOf: near, cluster: cluster, mirrorOf: mirror, pairs: pairs)
    }
}

