import Foundation
import Testing
@testable import WinnowCore

/// Still WebPs read from their Y, U, V planes (libwebp) instead of libvips' RGBA frame: made here by
/// libvips from the JPEG path's fixture and checked against the PNG of the same pixels, which libvips
/// decodes (flattened on white, EXIF-turned, grey-or-colour from RGB).
@Suite(.enabled(if: QualitySet.available, "needs ../shared/data/quality"))
struct WebPPlanePathTests {
    typealias JPEGTests = JPEGCoefficientPathTests

    struct Fixture: Sendable {
        let folder: URL
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        /// The JPEG fixture's 2400×1600 PNG, as a lossless WebP: the same pixels.
        var lossless: String { path("lossless.webp") }
        var lossy: String { path("lossy.webp") }
        /// The PNG with an alpha band (its own red channel, so every level of transparency occurs), as a
        /// PNG and as a lossless WebP.
        var transparentPNG: String { path("transparent.png") }
        var transparent: String { path("transparent.webp") }
        /// The JPEG fixture's grey picture.
        var grey: String { path("grey.webp") }
        /// Stored sideways with EXIF orientation 6 (from the JPEG fixture's `rotated`).
        var rotated: String { path("rotated.webp") }
    }

    static let fixture: Fixture = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-webp-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let f = Fixture(folder: folder), jpeg = JPEGTests.fixture
        JPEGTests.vips("copy", jpeg.png, f.lossless + "[lossless,strip]")
        JPEGTests.vips("copy", jpeg.png, f.lossy + "[Q=90,strip]")
        JPEGTests.vips("extract_band", jpeg.png, f.path("alpha.png"), "0")
        JPEGTests.vips("bandjoin", "\(jpeg.png) \(f.path("alpha.png"))", f.transparentPNG)
        JPEGTests.vips("copy", f.transparentPNG, f.transparent + "[lossless,strip]")
        JPEGTests.vips("copy", jpeg.grey, f.grey + "[Q=90,strip]")
        JPEGTests.vips("copy", jpeg.rotated, f.rotated + "[Q=90]")
        return f
    }()

    static func analysed(_ path: String, workingPixels: Bool = false, maxPixels: Int64 = 250_000_000) throws -> DecodedImage {
        try DecodedImage.forAnalysis(path: path, maxSide: 1024, maxPixels: maxPixels, workingPixels: workingPixels)
    }

    static func reading(_ path: String) throws -> PixelReading {
        try #require(try analysed(path).pixelReading)
    }

    static func meanGap(_ a: GrayPlane, _ b: GrayPlane) -> Float {
        zip(a.pixels, b.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(a.pixels.count)
    }

    @Test func aStillWebPIsReadFromItsPlanesWithoutAnRGBDecode() throws {
        #expect(try WebPReading.read(path: Self.fixture.lossy, maxPixels: 250_000_000) != nil)
        let image = try Self.analysed(Self.fixture.lossy)
        #expect(image.format == "webpload" && image.rgb.isEmpty && image.pixelReading != nil)
        #expect(image.fullWidth == 2400 && image.fullHeight == 1600)
        // Not a WebP: the other readers' business.
        #expect(try WebPReading.read(path: JPEGTests.fixture.png, maxPixels: 250_000_000) == nil)
    }

    @Test func aLosslessWebPReadsLikeThePNGOfTheSamePixels() throws {
        let webp = try Self.reading(Self.fixture.lossless), png = try Self.reading(JPEGTests.fixture.png)
        #expect(webp.plane.width == png.plane.width && webp.plane.height == png.plane.height)
        // Y is stored in 16–235: brought back to 0–255 it is a level off here and there, never more on average.
        #expect(Self.meanGap(webp.plane, png.plane) < 0.5)
        #expect(zip(webp.plane.pixels, png.plane.pixels).map { abs($0 - $1) }.max()! < 2)
        #expect(!webp.grayscale && !png.grayscale)
        let a = DetailModel().assess(DetailSpectrum.measure(tiles: webp.detailTiles), longSide: 2400)
        let b = DetailModel().assess(DetailSpectrum.measure(tiles: png.detailTiles), longSide: 2400)
        #expect(a.detailPixels == b.detailPixels && a.blurry == b.blurry && a.upscaled == b.upscaled)
        #expect(abs(a.sharpness - b.sharpness) < 0.02, "WebP \(a.sharpness), PNG \(b.sharpness)")
    }

    @Test func aTransparentWebPIsFlattenedOnWhiteLikeItsPNG() throws {
        let webp = try Self.reading(Self.fixture.transparent), png = try Self.reading(Self.fixture.transparentPNG)
        // Within a level: libvips truncates the blend (the PNG reads half a level darker on average), this rounds.
        #expect(Self.meanGap(webp.plane, png.plane) < 1)
        // Flattening moved it: the same picture without its alpha reads darker.
        let opaque = try Self.reading(Self.fixture.lossless)
        #expect(Self.meanGap(webp.plane, opaque.plane) > 10)
        #expect(webp.grayscale == png.grayscale)
    }

    @Test func aGreyWebPIsGreyAndAColourOneIsNot() throws {
        #expect(try Self.reading(Self.fixture.grey).grayscale)
        #expect(try !Self.reading(Self.fixture.lossy).grayscale)
    }

    @Test func aWebPWithAnEXIFOrientationIsTurnedUpright() throws {
        let image = try Self.analysed(Self.fixture.rotated, workingPixels: true)
        #expect(image.fullWidth == 2400 && image.fullHeight == 1600 && image.width == 1024 && image.height < 1024)
        let upright = try #require(image.pixelReading?.plane), reference = try Self.reading(JPEGTests.fixture.png).plane
        #expect(upright.width == reference.width && upright.height == reference.height)
        #expect(Self.meanGap(upright, reference) < 2)
    }

    /// Face detection reads the working RGB: libvips then shrinks the file on load, and the hashes and the
    /// detail still come from the planes.
    @Test func aWebPGetsWorkingPixelsOnlyWhenAStageReadsThem() throws {
        let path = Self.fixture.lossy
        let bare = try Self.analysed(path), withPixels = try Self.analysed(path, workingPixels: true)
        #expect(bare.rgb.isEmpty && withPixels.width == 1024 && withPixels.rgb.count == 1024 * withPixels.height * 3)
        var a = ImageFacts(sha256: "", byteCount: 0, width: 2400, height: 1600, format: bare.format), b = a
        try QualityStage().analyze(bare, path: path, facts: &a)
        try QualityStage().analyze(withPixels, path: path, facts: &b)
        #expect(a == b)
    }

    @Test func aTruncatedWebPIsAClearErrorNotAHalfImage() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.fixture.lossy))
        let cut = Self.fixture.path("cut.webp")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        do {
            _ = try WebPReading.read(path: cut, maxPixels: 250_000_000)
            Issue.record("a truncated WebP was read")
        } catch let error as DecodeError {
            #expect(error.message.contains("truncated"), "\(error.message)")
        }
        let analyzer = ImageAnalyzer(settings: AnalysisSettings(), stages: [QualityStage()])
        #expect(throws: DecodeError.self) { try analyzer.analyze(path: cut, sha256: "", byteCount: 0) }
    }

    @Test func thePixelLimitRefusesAWebPBeforeDecoding() throws {
        do {
            _ = try WebPReading.read(path: Self.fixture.lossy, maxPixels: 1_000_000)
            Issue.record("a WebP over the limit was read")
        } catch let error as DecodeError {
            #expect(error.message.contains("pixel limit"), "\(error.message)")
        }
    }

    @Test func anAnimatedWebPIsLeftToLibvips() throws {
        let small = Self.fixture.path("frame.webp")
        JPEGTests.vips("thumbnail", JPEGTests.fixture.png, small + "[lossless,strip]", "400")
        let animated = Self.fixture.path("animated.webp")
        try Self.animation(twoFramesOf: small).write(to: URL(fileURLWithPath: animated))
        #expect(try WebPReading.read(path: animated, maxPixels: 250_000_000) == nil)
        let image = try Self.analysed(animated)
        #expect(image.format == "webpload" && image.fullWidth == 400)
        var facts = ImageFacts(sha256: "", byteCount: 0, width: image.fullWidth, height: image.fullHeight, format: image.format)
        try QualityStage().analyze(image, path: animated, facts: &facts)
        #expect(facts.quality != nil)
    }

    /// An animated WebP (VP8X, ANIM, two ANMF frames) around the image chunk ("VP8 " or "VP8L") of a
    /// still WebP.
    static func animation(twoFramesOf still: String) throws -> Data {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: still)))
        func le(_ value: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        func size(at offset: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) } }
        var offset = 12, chunk: [UInt8] = []
        while offset + 8 <= bytes.count, chunk.isEmpty {
            let tag = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self), length = size(at: offset + 4)
            if tag == "VP8 " || tag == "VP8L" { chunk = Array(bytes[offset..<min(bytes.count, offset + 8 + length + length % 2)]) }
            offset += 8 + length + length % 2
        }
        try #require(!chunk.isEmpty)
        let (width, height, _) = try DecodedImage.header(path: still)
        func riffChunk(_ tag: String, _ payload: [UInt8]) -> [UInt8] {
            Array(tag.utf8) + le(payload.count, 4) + payload + (payload.count % 2 == 1 ? [0] : [])
        }
        let frame = riffChunk("ANMF", le(0, 3) + le(0, 3) + le(width - 1, 3) + le(height - 1, 3) + le(100, 3) + [0] + chunk)
        let body = Array("WEBP".utf8)
            + riffChunk("VP8X", [0x02, 0, 0, 0] + le(width - 1, 3) + le(height - 1, 3))
            + riffChunk("ANIM", le(0xFFFF_FFFF, 4) + le(0, 2))
            + frame + frame
        return Data(Array("RIFF".utf8) + le(body.count, 4) + body)
    }
}
