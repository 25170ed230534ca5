import Foundation

/// Judges duplicates among a set of analysed images at once (`winnow scan`): exact copies by sha256,
/// near-duplicate groups by hash lookup + second look, the best copy of each group, and mirrors.
public struct DuplicateGrouping: Sendable {
    public var policy: NearDuplicatePolicy
    /// Also give a second look to pairs whose answer cannot change the groups (already in one group,
    /// or both already mirrored): every candidate pair then appears in `pairs`, for tuning.
    public var comparesEveryCandidate: Bool
    /// Threads the second looks and the keep-best choices run on. The result does not depend on it.
    public var workers: Int

    public init(policy: NearDuplicatePolicy = NearDuplicatePolicy(), comparesEveryCandidate: Bool = false, workers: Int = 1) {
        self.policy = policy
        self.comparesEveryCandidate = comparesEveryCandidate
        self.workers = max(1, workers)
    }

    /// Pairs given a second look at once: big enough to keep every thread busy, small enough that few
    /// looks are wasted on pairs an earlier pair of the same batch has already linked.
    static let batchSize = 32

    /// A hash match worth a second look: `a` (mirrored or not) against `b`, `a` < `b`.
    struct Candidate {
        var a: Int, b: Int
        var hashDistance: Int
        var mirrored: Bool
    }

    /// A file's look as a candidate pair compares it: as is, or mirrored.
    struct LookKey: Hashable {
        var item: Int
        var mirrored: Bool
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
        // Every candidate, in the order a one-by-one pass meets them: by file, direct before mirrored.
        var candidates: [Candidate] = []
        for i in representatives {
            guard let qi = items[i]?.quality, let li = qi.lookBytes else { continue }
            for (hash, mirrored) in [(qi.phash, false), (qi.phashMirror, true)] {
                guard let hash = hash.flatMap(UInt64.init(hex:)) else { continue }
                // Sorted: the index answers in no particular order, and the pairs reported should not move.
                for (j, distance) in index.search(hash, radius: policy.candidateRadius).sorted(by: { $0.key < $1.key }) where j > i {
                    guard items[j]?.quality?.lookBytes?.count == li.count else { continue }
                    candidates.append(Candidate(a: i, b: j, hashDistance: distance, mirrored: mirrored))
                }
            }
        }
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        var mirror = [Int?](repeating: nil, count: n)
        // Most candidates are copies within one big group: once linked, looking again is waste.
        func settled(_ c: Candidate) -> Bool {
            guard !comparesEveryCandidate else { return false }
            return c.mirrored ? mirror[c.a] != nil && mirror[c.b] != nil : find(c.a) == find(c.b)
        }
        var pairs: [ComparedPair] = []
        // Batches are looked at in parallel, then applied in order; a pair that an earlier pair of its
        // batch settled is dropped, so the groups are those of a one-by-one pass whatever `workers` is.
        var next = 0
        while next < candidates.count {
            var batch: [Candidate] = []
            while batch.count < Self.batchSize && next < candidates.count {
                if !settled(candidates[next]) { batch.append(candidates[next]) }
                next += 1
            }
            // Each look of the batch prepared once (a file is often in many of its pairs), not once per
            // pair; only for the batch, so that memory stays a batch's worth however big the scan.
            let needed = Array(Set(batch.flatMap { [LookKey(item: $0.a, mirrored: $0.mirrored), LookKey(item: $0.b, mirrored: false)] }))
            let preparedLooks = concurrentMap(needed.count, workers: workers) { k in
                let look = items[needed[k].item]!.quality!.lookBytes!
                return SecondLook.Prepared(needed[k].mirrored ? SecondLook.mirrored(look) : look)
            }
            let prepared = Dictionary(uniqueKeysWithValues: zip(needed, preparedLooks))
            let looks = batch.map { (prepared[LookKey(item: $0.a, mirrored: $0.mirrored)]!, prepared[LookKey(item: $0.b, mirrored: false)]!) }
            let comparisons = concurrentMap(looks.count, workers: workers) { k in
                SecondLook.compare(looks[k].0, looks[k].1)
            }
            for (c, comparison) in zip(batch, comparisons) where !settled(c) {
                let accepted = policy.accepts(comparison)
                pairs.append(ComparedPair(a: c.a, b: c.b, hashDistance: c.hashDistance, mirrored: c.mirrored,
                                          accepted: accepted, comparison: comparison))
                guard accepted else { continue }
                if c.mirrored {
                    if mirror[c.b] == nil { mirror[c.b] = c.a }
                    if mirror[c.a] == nil { mirror[c.a] = c.b }
                } else {
                    parent[find(c.a)] = find(c.b)
                }
            }
        }
        // Keep-best per group of representatives.
        var groups: [Int: [Int]] = [:]
        for i in representatives { groups[find(i), default: []].append(i) }
        var near = [Int?](repeating: nil, count: n)
        var cluster = [Int?](repeating: nil, count: n)
        let multiple = groups.values.filter { $0.count > 1 }
        let keptIndex = concurrentMap(multiple.count, workers: workers) { g in KeepBest.choose(multiple[g].map { items[$0]! }) }
        for (members, k) in zip(multiple, keptIndex) {
            let kept = members[k]
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

