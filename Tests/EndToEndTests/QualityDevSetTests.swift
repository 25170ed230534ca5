import Foundation
import Testing

/// The judging figures reached on DEV data, asserted so that a regression fails CI.
///
/// The corpus is the data README's generator (seed 1) run on a fixed subset of the DEV sources and hard
/// negatives (`scripts/make-quality-testset`); the built binary scans it as a user would, and
/// `scripts/eval_quality.py` scores it with the README's metrics. The floors are what this subset gave
/// when they were set (see the issue notes), not targets: raise them as the judging improves.
@Suite(.serialized)
struct QualityDevSetTests {
    /// Figures for the whole subset, from one scan (the scan is the slow part; every test reads the same one).
    static let figures: Result<[String: Double], any Error> = Result { try scanAndScore() }

    @Test func everyLabelledFileIsScannedWithoutError() throws {
        let figures = try Self.figures.get()
        #expect(figures["files"] == figures["labelled"])
        #expect(figures["errors"] == 0)
    }

    @Test func exactDuplicatesAreAllFoundAndNothingElse() throws {
        let figures = try Self.figures.get()
        #expect(figures["exact_precision"] == 1)
        #expect(figures["exact_recall"] == 1)
    }

    @Test func nearDuplicatesAreFoundWithoutMergingDistinctShots() throws {
        let figures = try Self.figures.get()
        #expect(figures["near_duplicate_precision"]! >= 0.995)
        #expect(figures["near_duplicate_recall"]! >= 0.99)
        #expect(figures["false_merge_pairs"] == 0)
    }

    @Test func upscalesAndBlurryCopiesAreFlaggedAndSharpFilesAreNot() throws {
        let figures = try Self.figures.get()
        // Measured on this subset: union P 0.969 R 0.954, blurry R 0.895 (motion blurs included), upscaled
        // R 1.0 (0.889 before upscales by 3 and 4 were told by the period of their spectrum, 0.667 before
        // ×2), sharp flagged 2/183.
        #expect(figures["upscale-blurry_precision"]! >= 0.95)
        #expect(figures["upscale-blurry_recall"]! >= 0.95)
        #expect(figures["blurry_recall"]! >= 0.85)
        #expect(figures["upscaled_recall"]! >= 0.95)
        #expect(figures["sharp_flagged"]! <= 0.02)
    }

    @Test func theBestCopyOfAGroupIsKept() throws {
        let figures = try Self.figures.get()
        // Measured: 41/42 groups (40 before a heavy crop stopped counting as a copy).
        #expect(figures["keep_best"]! >= 0.95)
    }

    private static func scanAndScore() throws -> [String: Double] {
        let harness = try DaemonHarness()
        let root = DaemonHarness.repoRoot
        let made = try harness.run([root.appendingPathComponent("scripts/make-quality-testset").path],
                                   executable: URL(fileURLWithPath: "/bin/bash"), timeout: 600)
        guard made.status == 0 else { throw Failure("make-quality-testset failed: \(made.stderr)") }
        let corpus = URL(fileURLWithPath: made.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

        let scan = try harness.run(["scan", corpus.appendingPathComponent("images").path, "--json", "--no-faces"],
                                   timeout: 1800)
        guard scan.status == 0 else { throw Failure("scan failed: \(scan.stderr)") }
        let scanFile = harness.home.appendingPathComponent("scan.jsonl")
        try scan.stdout.write(to: scanFile, atomically: true, encoding: .utf8)

        let figuresFile = harness.home.appendingPathComponent("figures.json")
        let score = try harness.run([root.appendingPathComponent("scripts/eval_quality.py").path,
                                     corpus.appendingPathComponent("labels.jsonl").path, scanFile.path,
                                     "--json", figuresFile.path],
                                    executable: URL(fileURLWithPath: "/usr/bin/python3"))
        guard score.status == 0 else { throw Failure("eval_quality.py failed: \(score.stderr)") }
        print(score.stdout)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: figuresFile)) as? [String: Double]
        return try object ?? { throw Failure("figures.json is not an object of numbers") }()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
