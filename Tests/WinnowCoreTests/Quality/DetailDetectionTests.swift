import Foundation
import Testing
import VipsShim
@testable import WinnowCore

/// Real photos from the DEV quality sources (`../shared/data/quality/sources`), turned into the copies a
/// browser folder fills with (an upscale, a q60 re-save, a blur) by libvips in the test, then judged by
/// the real quality stage on the real files.
struct DetailDetectionTests {
    static let sources: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/quality/sources").standardizedFileURL

    /// One scene photo, copies made once per test process (1200 px long side keeps the suite fast).
    struct Fixture: Sendable {
        let folder: URL
        var original: String { folder.appendingPathComponent("original.jpg").path }
        var upscaledBy4: String { folder.appendingPathComponent("upscaled-x4.jpg").path }
        var reencodedQ60: String { folder.appendingPathComponent("q60.jpg").path }
        var blurred: String { folder.appendingPathComponent("gaussian-2.5.jpg").path }
        var halfSize: String { folder.appendingPathComponent("half.jpg").path }
        var truncated: String { folder.appendingPathComponent("truncated.jpg").path }
        static let longSide = 1200
    }

    static func derive(_ input: String, _ output: String, longSide: Int, sigma: Double = 0, quality: Int = 95) throws {
        var error: UnsafeMutablePointer<CChar>?
        if winnow_vips_derive(input, output, Int32(longSide), sigma, Int32(quality), &error) != 0 {
            throw DecodeError(message: Vips.take(error), notAnImage: false)
        }
    }

    static let fixture: Fixture = {
        Vips.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-detail-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let f = Fixture(folder: folder)
        let source = sources.appendingPathComponent("d000_elem_Ashim_DSilva.jpg").path
        try! derive(source, f.original, longSide: Fixture.longSide)
        let small = folder.appendingPathComponent("small.jpg").path
        try! derive(f.original, small, longSide: Fixture.longSide / 4)
        try! derive(small, f.upscaledBy4, longSide: Fixture.longSide, quality: 92)
        try! derive(f.original, f.reencodedQ60, longSide: Fixture.longSide, quality: 60)
        try! derive(f.original, f.blurred, longSide: Fixture.longSide, sigma: 2.5, quality: 92)
        try! derive(f.original, f.halfSize, longSide: Fixture.longSide / 2, quality: 90)
        let bytes = try! Data(contentsOf: URL(fileURLWithPath: f.original))
        try! bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: f.truncated))
        return f
    }()

    static func facts(_ path: String) throws -> ImageFacts {
        let analyzer = ImageAnalyzer(settings: AnalysisSettings(), stages: [QualityStage()])
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        return try analyzer.analyze(path: path, sha256: "", byteCount: size)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sources.path)))
    func aSharpPhotoAndItsQ60ReSaveAreNotFlagged() throws {
        for path in [Self.fixture.original, Self.fixture.reencodedQ60, Self.fixture.halfSize] {
            let quality = try #require(try Self.facts(path).quality)
            #expect(!quality.blurry && !quality.upscaled, "\(path) flagged")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sources.path)))
    func anUpscaleByFourIsFlaggedWithDetailNearAQuarter() throws {
        // (An upscale by 3 of this photo is missed: its middle band sits just above the limit. DEV
        // cross-validation: ×4 35/36 caught, ×3 24/36, ×2 2/36 — see scripts/fit_quality.py.)
        let facts = try Self.facts(Self.fixture.upscaledBy4)
        let quality = try #require(facts.quality)
        #expect(quality.upscaled)
        let detail = try #require(quality.detailPixels)
        // Real detail: 300 px of 1200; the estimate is coarse (rings of 1/64 cycle): a quarter ± 40 %.
        #expect(detail >= 180 && detail <= 420, "detail_px \(detail)")
        #expect(Judge().verdict(for: facts).kind == .upscaled)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sources.path)))
    func aGaussianBlurIsFlaggedBlurry() throws {
        let facts = try Self.facts(Self.fixture.blurred)
        let quality = try #require(facts.quality)
        #expect(quality.blurry)
        #expect(Judge().verdict(for: facts).kind == .blurry)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sources.path)))
    func keepBestPicksTheOriginalOverItsUpscaleBlurReSaveAndSmallerCopy() throws {
        let f = Self.fixture
        let paths = [f.upscaledBy4, f.reencodedQ60, f.blurred, f.original, f.halfSize]
        let members = try paths.map(Self.facts)
        #expect(paths[KeepBest.choose(members)] == f.original)
        // Whatever order the copies arrive in.
        #expect(paths.reversed()[KeepBest.choose(members.reversed())] == f.original)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sources.path)))
    func theJPEGQualityIsReadFromTheQuantisationTable() throws {
        #expect((JPEGQuality.estimate(path: Self.fixture.reencodedQ60) ?? 0) == 60)
        #expect((JPEGQuality.estimate(path: Self.fixture.original) ?? 0) == 95)
        #expect(JPEGQuality.estimate(header: [0x89, 0x50, 0x4E, 0x47]) == nil)
        // A header cut inside its quantisation table is no table, not a crash.
        let header = try Data(contentsOf: URL(fileURLWithPath: Self.fixture.original)).prefix(40)
        #expect(JPEGQuality.estimate(header: [UInt8](header)) == nil)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sources.path)))
    func aTruncatedJPEGIsAClearDecodeError() throws {
        #expect(throws: DecodeError.self) { try Self.facts(Self.fixture.truncated) }
        do {
            _ = try QualityStage.nativeSpectrum(path: Self.fixture.truncated, maxPixels: 250_000_000)
            Issue.record("a truncated file was measured")
        } catch let error as DecodeError {
            #expect(!error.message.isEmpty)
        }
    }

    @Test func theFFTAgreesWithADirectFourierSum() {
        let n = 8
        let fft = RadixTwoFFT(size: n)
        let block = (0..<(n * n)).map { Float(($0 * 37) % 11) - 5 }
        let power = fft.power2D(block)
        for (v, u) in [(0, 1), (3, 5), (7, 7), (4, 0)] {
            var re = 0.0, im = 0.0
            for y in 0..<n {
                for x in 0..<n {
                    let phase = -2 * Double.pi * Double(u * x + v * y) / Double(n)
                    re += Double(block[y * n + x]) * cos(phase)
                    im += Double(block[y * n + x]) * sin(phase)
                }
            }
            #expect(abs(Double(power[v * n + u]) - (re * re + im * im)) < 1e-2 * max(1, re * re + im * im))
        }
    }

    @Test func anImageUnderOneTileIsNotJudged() {
        let plane = GrayPlane(width: 40, height: 300, pixels: [Float](repeating: 7, count: 40 * 300))
        let assessment = DetailModel().assess(DetailSpectrum.measure(plane), longSide: 300)
        #expect(!assessment.blurry && !assessment.upscaled && assessment.detailPixels == 300)
    }
}
