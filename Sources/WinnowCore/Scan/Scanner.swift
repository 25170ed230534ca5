import Foundation

/// `winnow scan`: analyses every image under a folder exactly as the daemon does (same stages, same
/// judge), judges duplicates among those files, and moves or records nothing.
public struct Scanner: Sendable {
    public let analyzer: ImageAnalyzer
    public let judge: Judge
    public let grouping: DuplicateGrouping
    /// Files analysed at once; the duplicate grouping runs on as many threads.
    public let workers: Int

    public init(analyzer: ImageAnalyzer, judge: Judge, grouping: DuplicateGrouping = DuplicateGrouping(), workers: Int = 2) {
        self.analyzer = analyzer
        self.judge = judge
        self.workers = max(1, workers)
        var grouping = grouping
        grouping.workers = self.workers
        self.grouping = grouping
    }

    /// Regular, non-hidden files under `folder`, sorted by path (earlier paths win exact-duplicate ties).
    public static func files(under folder: URL) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder.path])
        }
        if !isDirectory.boolValue { return [folder.standardizedFileURL.path] }
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                                              options: [.skipsHiddenFiles]) else { return [] }
        var paths: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            paths.append(url.standardizedFileURL.path)
        }
        return paths.sorted()
    }

    /// What analysing one file gave.
    public struct Analysed: Sendable {
        public var path: String
        public var facts: ImageFacts?
        public var verdict: Verdict
        public var error: String?
    }

    /// Analyses one file (never throws: failures become `unreadable`/`not-image` verdicts).
    public func analyse(_ path: String) -> Analysed {
        do {
            let sha = try ContentHash.sha256(of: path)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
            let facts = try analyzer.analyze(path: path, sha256: sha, byteCount: size)
            return Analysed(path: path, facts: facts, verdict: judge.verdict(for: facts), error: nil)
        } catch let error as DecodeError {
            return Analysed(path: path, facts: nil, verdict: Verdict(error.notAnImage ? .notImage : .unreadable),
                            error: "decoder: \(error.message)")
        } catch {
            return Analysed(path: path, facts: nil, verdict: Verdict(.unreadable), error: "\(error)")
        }
    }

    /// Analyses `paths` on `workers` threads; `progress(done, total)` is called after each file.
    public func analyseAll(_ paths: [String], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) -> [Analysed] {
        let results = ResultBox(count: paths.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.increment()
                guard i < paths.count else { return }
                let result = analyse(paths[i])
                let done = results.set(i, result)
                progress(done, paths.count)
            }
        }
        return results.values.map { $0! }
    }

    /// Everything, judged: one record per file, in path order.
    public func scan(_ paths: [String], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in })
        -> (records: [ScanRecord], grouping: DuplicateGrouping.Result) {
        let analysed = analyseAll(paths, progress: progress)
        let grouped = grouping.group(analysed.map(\.facts))
        var records: [ScanRecord] = []
        for (i, item) in analysed.enumerated() {
            var verdict = item.verdict
            if let original = grouped.exactDuplicateOf[i] {
                verdict = Verdict(.duplicate, reason: "same bytes as \(paths[original])")
            } else if let kept = grouped.nearDuplicateOf[i] {
                verdict = Verdict(.nearDuplicate, reason: "copy of \(paths[kept])")
            }
            var record = ScanRecord(path: item.path, verdict: verdict.kind.rawValue)
            record.reason = verdict.reason
            record.error = item.error
            record.exactDuplicateOf = grouped.exactDuplicateOf[i].map { paths[$0] }
            record.nearDuplicateOf = grouped.nearDuplicateOf[i].map { paths[$0] }
            record.cluster = grouped.cluster[i].map { paths[$0] }
            record.mirrorOf = grouped.mirrorOf[i].map { paths[$0] }
            if let facts = item.facts {
                record.sha256 = facts.sha256
                record.width = facts.width
                record.height = facts.height
                record.format = facts.format
                if let q = facts.quality {
                    record.blurry = q.blurry
                    record.upscaled = q.upscaled
                    record.detailPx = q.detailPixels
                    record.sharpness = q.sharpness
                    record.grayscale = q.grayscale
                    record.phash = q.phash
                    record.dhash = q.dhash
                    record.spectrum = q.spectrum
                    record.detailFeatures = q.detailFeatures
                    record.jpegQuality = q.jpegQuality
                }
                if let f = facts.faces {
                    record.faces = f.count
                    record.faceBox = f.box
                    record.yaw = f.yaw
                    record.pitch = f.pitch
                    record.roll = f.roll
                    record.yawBin = f.yawBin?.rawValue
                    record.pitchBin = f.pitchBin?.rawValue
                    record.expression = f.expression
                }
            }
            records.append(record)
        }
        return (records, grouped)
    }
}

/// Thread-safe slots for results computed out of order.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Scanner.Analysed?]
    private var done = 0
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Scanner.Analysed) -> Int {
        lock.lock(); defer { lock.unlock() }
        values[i] = value
        done += 1
        return done
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
