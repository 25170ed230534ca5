import Foundation
import VipsShim
import WinnowCore

/// Benchmarks that print figures (never run by the tests; use a release build):
///   winnow-bench index [--count N] [--queries Q] [--radius R]
///       fills the real near-duplicate index with N hashes (half random, half in tight clusters, as
///       copies of one picture are) and prints p50/p99 lookup time.
///   winnow-bench decode [--threads T] FILE...
///       the floor of `scripts/bench-scan`: one plain full decode of every file with the same libvips,
///       T threads in this one process; prints images/s.
///   winnow-bench analyse [--workers W] FILE...
///       times `winnow scan --no-faces`'s per-file analysis (the same Scanner) and prints p50/p95.
///   winnow-bench facts DIR OUT.jsonl
///       analyses every image under DIR as `winnow scan --no-faces` does and stores the facts (tuning).
///   winnow-bench group FACTS.jsonl [--pairs PAIRS.jsonl] [--workers W]
///       judges duplicates from stored facts and prints scan-like JSON Lines (path, cluster, …), so the
///       second look can be tuned in seconds without decoding anything again.
@main
struct WinnowBench {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let mode = arguments.first else { usage() }
        arguments.removeFirst()
        switch mode {
        case "index": try IndexBenchmark(arguments: arguments).run()
        case "decode": try DecodeBenchmark(arguments: arguments).run()
        case "facts": try FactsDump(arguments: arguments).run()
        case "analyse": try AnalyseTimes(arguments: arguments).run()
        case "group": try GroupReplay(arguments: arguments).run()
        default: usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: winnow-bench index [--count N] [--queries Q] [--radius R] | decode [--threads T] FILE... | facts DIR OUT | group FACTS [--pairs OUT] [--workers W]\n".utf8))
        exit(2)
    }
}

/// `--name value` options with defaults; the rest are positional.
struct Options {
    let values: [String: String]
    let positional: [String]

    init(_ arguments: [String]) {
        var values: [String: String] = [:], positional: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument.hasPrefix("--"), i + 1 < arguments.count {
                let name = String(argument.dropFirst(2))
                values.updateValue(arguments[i + 1], forKey: name)
                i += 2
            } else {
                positional.append(argument)
                i += 1
            }
        }
        self.values = values
        self.positional = positional
    }

    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
}

/// Deterministic generator (SplitMix64) so every run measures the same index.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct IndexBenchmark {
    let count: Int, queries: Int, radii: [Int]

    init(arguments: [String]) {
        let options = Options(arguments)
        count = options.int("count", 1_000_000)
        queries = options.int("queries", 2000)
        radii = options.values["radius"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? [NearDuplicatePolicy().candidateRadius]
    }

    /// CPU seconds this thread has used.
    static func threadCPU() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `bits` random bits of `hash` flipped.
    static func flip(_ hash: UInt64, _ bits: Int, _ rng: inout SplitMix) -> UInt64 {
        var out = hash
        for _ in 0..<bits { out ^= 1 << UInt64.random(in: 0..<64, using: &rng) }
        return out
    }

    func run() throws {
        var rng = SplitMix(state: 1)
        var index = HammingIndex<Int>()
        var stored: [UInt64] = []
        stored.reserveCapacity(count)
        let fillStart = DispatchTime.now()
        // Half uniform random; half in clusters of 10 near one centre (copies of one picture, bursts).
        var centre: UInt64 = 0
        for i in 0..<count {
            let hash: UInt64
            if i % 2 == 0 {
                hash = rng.next()
            } else {
                if i % 20 == 1 { centre = rng.next() }
                hash = Self.flip(centre, Int.random(in: 0...8, using: &rng), &rng)
            }
            stored.append(hash)
            index.insert(hash, for: i)
        }
        let fill = Double(DispatchTime.now().uptimeNanoseconds - fillStart.uptimeNanoseconds) / 1e9
        print("index: \(count) hashes (half random, half in clusters of 10) filled in \(String(format: "%.2f", fill)) s")
        for radius in radii {
            var times: [Double] = [], cpu: [Double] = []
            var found = 0
            for q in 0..<queries {
                // Alternate: a near copy of a stored hash, and a fresh random hash.
                let query = q % 2 == 0 ? Self.flip(stored[Int.random(in: 0..<count, using: &rng)], 6, &rng) : rng.next()
                let start = DispatchTime.now(), cpuStart = Self.threadCPU()
                let result = index.search(query, radius: radius)
                cpu.append((Self.threadCPU() - cpuStart) * 1000)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
                found += result.count
            }
            times.sort()
            cpu.sort()
            // Wall time includes waiting for a core on a busy machine; thread CPU time does not.
            print(String(format: "lookup radius %d: wall p50 %.3f ms, p99 %.3f ms, max %.3f ms; CPU p50 %.3f ms, p99 %.3f ms (%d queries, %.1f hits each)",
                         radius, percentile(times, 50), percentile(times, 99), times.last ?? 0,
                         percentile(cpu, 50), percentile(cpu, 99), queries, Double(found) / Double(queries)))
        }
    }
}

struct DecodeBenchmark {
    let threads: Int, files: [String]

    init(arguments: [String]) {
        let options = Options(arguments)
        threads = options.int("threads", 2)
        files = options.positional
    }

    func run() throws {
        guard winnow_vips_start() == 0 else { throw CocoaError(.featureUnsupported) }
        let next = Counter()
        let failures = Counter()
        let start = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let i = next.increment()
                guard i < files.count else { return }
                var error: UnsafeMutablePointer<CChar>?
                if winnow_vips_decode_full(files[i], &error) != 0 {
                    _ = failures.increment()
                    if let error { winnow_string_free(error) }
                }
            }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        print(String(format: "decode: %d files, %d failed, %.2f s wall, %.1f images/s on %d threads",
                     files.count, failures.value, wall, Double(files.count) / wall, threads))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return current }
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = current
        current += 1
        return v
    }
}

/// One stored analysis.
struct StoredFacts: Codable {
    var path: String
    var facts: ImageFacts?
}

struct FactsDump {
    let folder: String, output: String

    init(arguments: [String]) {
        let options = Options(arguments)
        guard options.positional.count == 2 else { WinnowBench.usage() }
        folder = options.positional[0]
        output = options.positional[1]
    }

    func run() throws {
        let settings = AnalysisSettings()
        let analyzer = ImageAnalyzer(settings: settings, stages: [QualityStage(maxPixels: settings.maxPixels)])
        let scanner = Scanner(analyzer: analyzer, judge: Judge())
        let paths = try Scanner.files(under: URL(fileURLWithPath: folder))
        let encoder = JSONEncoder()
        var lines = ""
        for item in scanner.analyseAll(paths) {
            lines += String(decoding: try encoder.encode(StoredFacts(path: item.path, facts: item.facts)), as: UTF8.self) + "\n"
        }
        try lines.write(toFile: output, atomically: true, encoding: .utf8)
    }
}

struct GroupReplay {
    let input: String, pairs: String?, workers: Int

    init(arguments: [String]) {
        let options = Options(arguments)
        guard options.positional.count == 1 else { WinnowBench.usage() }
        input = options.positional[0]
        pairs = options.values["pairs"]
        workers = options.int("workers", 1)
    }

    func run() throws {
        let decoder = JSONDecoder()
        let stored = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n")
            .map { try decoder.decode(StoredFacts.self, from: Data($0.utf8)) }
        let paths = stored.map(\.path)
        let grouped = DuplicateGrouping(comparesEveryCandidate: pairs != nil, workers: workers).group(stored.map(\.facts))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        struct Line: Encodable {
            var path: String, cluster: String?, nearDuplicateOf: String?, exactDuplicateOf: String?, mirrorOf: String?
            var error: String?
        }
        var out = ""
        for (i, path) in paths.enumerated() {
            let line = Line(path: path, cluster: grouped.cluster[i].map { paths[$0] },
                            nearDuplicateOf: grouped.nearDuplicateOf[i].map { paths[$0] },
                            exactDuplicateOf: grouped.exactDuplicateOf[i].map { paths[$0] },
                            mirrorOf: grouped.mirrorOf[i].map { paths[$0] },
                            error: stored[i].facts == nil ? "not analysed" : nil)
            out += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if let pairs {
            struct PairLine: Encodable { var a: String; var b: String; var pair: DuplicateGrouping.ComparedPair }
            var lines = ""
            for pair in grouped.pairs {
                lines += String(decoding: try encoder.encode(PairLine(a: paths[pair.a], b: paths[pair.b], pair: pair)), as: UTF8.self) + "\n"
            }
            try lines.write(toFile: pairs, atomically: true, encoding: .utf8)
        }
    }
}

struct AnalyseTimes {
    let workers: Int, files: [String]

    init(arguments: [String]) {
        let options = Options(arguments)
        workers = options.int("workers", 2)
        files = options.positional
    }

    func run() throws {
        let settings = AnalysisSettings()
        let scanner = Scanner(analyzer: ImageAnalyzer(settings: settings, stages: [QualityStage(maxPixels: settings.maxPixels)]),
                              judge: Judge(), workers: workers)
        let times = TimeBox()
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.increment()
                guard i < files.count else { return }
                let start = DispatchTime.now()
                _ = scanner.analyse(files[i])
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
            }
        }
        let sorted = times.values.sorted()
        guard !sorted.isEmpty else { return }
        print(String(format: "analyse: %d files, p50 %.0f ms p95 %.0f ms max %.0f ms per image (%d workers)",
                     sorted.count, percentile(sorted, 50), percentile(sorted, 95), sorted.last!, workers))
    }
}

final class TimeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Double] = []
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return stored }
    func append(_ value: Double) { lock.lock(); stored.append(value); lock.unlock() }
}
