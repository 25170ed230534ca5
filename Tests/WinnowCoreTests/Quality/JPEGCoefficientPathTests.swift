import Foundation
import Testing
@testable import WinnowCore

/// The JPEG coefficient path on real files: JPEGs made here by libvips from a DEV source photo (baseline,
/// progressive, grey, EXIF-rotated, truncated, a header that claims a bomb), read through libjpeg's
/// coefficient API and checked against libvips' own decode of the same file.
@Suite(.enabled(if: QualitySet.available, "needs ../shared/data/quality"))
struct JPEGCoefficientPathTests {
    /// The fixtures, made once per test process.
    struct Fixture: Sendable {
        let folder: URL
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        /// 2400×1600 baseline, q90 (whole blocks: libvips' 1/8 shrink has the DC image's size exactly);
        /// its short side is long enough for the 1/8 (DC) image.
        var baseline: String { path("baseline.jpg") }
        var progressive: String { path("progressive.jpg") }
        var grey: String { path("grey.jpg") }
        var png: String { path("lossless.png") }
        /// `rotated` as a PNG, which keeps the EXIF orientation.
        var rotatedPNG: String { path("rotated.png") }
        /// 1600×2400 stored sideways with EXIF orientation 6 (a phone's portrait shot): shown 2400 wide.
        var rotated: String { path("rotated.jpg") }
        var truncated: String { path("truncated.jpg") }
        /// `baseline` with its frame header claiming 60000×60000 pixels.
        var bomb: String { path("bomb.jpg") }
    }

    static let fixture: Fixture = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-jpeg-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let f = Fixture(folder: folder)
        let source = QualitySet.sources.first { $0.pathExtension == "jpg" }!.path
        // `strip` drops the source's own metadata (an EXIF orientation of its own would muddle the test).
        vips("thumbnail", source, f.baseline + "[Q=90,strip]", "2400")
        vips("copy", f.baseline, f.progressive + "[Q=90,interlace,strip]")
        vips("colourspace", f.baseline, f.grey + "[Q=90,strip]", "b-w")
        vips("copy", f.baseline, f.png)
        vips("rot", f.baseline, f.path("sideways.jpg") + "[Q=90,strip]", "d270")
        let sideways = try! Data(contentsOf: URL(fileURLWithPath: f.path("sideways.jpg")))
        try! withOrientation(sideways, 6).write(to: URL(fileURLWithPath: f.rotated))
        vips("copy", f.rotated, f.rotatedPNG)
        let whole = try! Data(contentsOf: URL(fileURLWithPath: f.baseline))
        try! whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: f.truncated))
        try! claimingSize(whole, width: 60000, height: 60000).write(to: URL(fileURLWithPath: f.bomb))
        return f
    }()

    /// Runs the `vips` command (libvips-tools).
    static func vips(_ arguments: String...) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["vips"] + arguments
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "vips \(arguments) failed")
    }

    /// `jpeg` with an APP1 EXIF segment (big-endian TIFF, one IFD entry: orientation) after its SOI marker.
    static func withOrientation(_ jpeg: Data, _ orientation: UInt8) -> Data {
        let tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8,  // header, IFD0 at 8
                             0, 1,                                 // one entry
                             0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0,
                             0, 0, 0, 0]                           // no next IFD
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        var out = Data(jpeg.prefix(2))
        out.append(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload)
        out.append(jpeg.dropFirst(2))
        return out
    }

    /// `jpeg` with its SOF frame header rewritten to claim `width`×`height`.
    static func claimingSize(_ jpeg: Data, width: Int, height: Int) -> Data {
        var bytes = [UInt8](jpeg)
        var i = 2
        while i + 9 < bytes.count {
            let marker = bytes[i + 1]
            if (0xC0...0xC2).contains(marker) {
                bytes[i + 5] = UInt8(height >> 8); bytes[i + 6] = UInt8(height & 0xFF)
                bytes[i + 7] = UInt8(width >> 8); bytes[i + 8] = UInt8(width & 0xFF)
                break
            }
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        return Data(bytes)
    }

    static func read(_ path: String, maxPixels: Int64 = 250_000_000) throws -> JPEGReading {
        try #require(try JPEGReading.read(path: path, maxPixels: maxPixels))
    }

    /// Mean absolute difference between a plane and libvips' grey decode of the same file at that size.
    static func differenceFromLibvips(_ plane: GrayPlane, path: String) throws -> Double {
        let image = try DecodedImage.load(path: path, maxSide: max(plane.width, plane.height), maxPixels: 250_000_000)
        #expect(image.width == plane.width && image.height == plane.height, "libvips \(image.width)×\(image.height), plane \(plane.width)×\(plane.height)")
        let gray = image.gray
        guard image.width == plane.width, image.height == plane.height else { return .infinity }
        return zip(gray, plane.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(gray.count)
    }

    @Test func theDCImageMatchesALibvipsEighthShrink() throws {
        let reading = try Self.read(Self.fixture.baseline)
        #expect(reading.width == 2400 && reading.height == 1600)
        // 1/8 scale: one pixel per 8×8 block, the block's mean (libjpeg's own 1/8 decode is the same DC term).
        #expect(reading.plane.width == 300 && reading.plane.height == 200)
        let difference = try Self.differenceFromLibvips(reading.plane, path: Self.fixture.baseline)
        #expect(difference < 1.5, "mean |DC image − libvips 1/8| = \(difference)")
    }

    @Test func aSmallJPEGKeepsAFinerImageThanItsDCTerms() throws {
        let small = Self.fixture.path("small.jpg")
        Self.vips("crop", Self.fixture.baseline, small + "[Q=90,strip]", "400", "300", "320", "208")
        let reading = try Self.read(small)
        // 320×208: the DC terms would give 40×26, under the look's 64 pixels; full scale it is.
        #expect(reading.plane.width == 320 && reading.plane.height == 208)
        #expect(try Self.differenceFromLibvips(reading.plane, path: small) < 1.5)
    }

    @Test func aProgressiveJPEGReadsLikeItsBaselineTwin() throws {
        let baseline = try Self.read(Self.fixture.baseline), progressive = try Self.read(Self.fixture.progressive)
        let difference = zip(baseline.plane.pixels, progressive.plane.pixels).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) }
            / Double(baseline.plane.pixels.count)
        #expect(difference < 1.0)
        #expect(progressive.detailTiles.count == DetailSpectrum.maxTiles)
        let a = DetailModel().assess(DetailSpectrum.measure(tiles: baseline.detailTiles), longSide: 2400)
        let b = DetailModel().assess(DetailSpectrum.measure(tiles: progressive.detailTiles), longSide: 2400)
        #expect(abs(a.sharpness - b.sharpness) < 0.05)
    }

    @Test func jpegsReadOverAndOverOnSeveralThreadsReadTheSameEachTime() throws {
        // The coefficient arrays live in storage the shim maps per image (zeroed by the kernel, not by
        // libjpeg): a row left over from another image or thread would show here.
        let paths = [Self.fixture.baseline, Self.fixture.progressive, Self.fixture.grey, Self.fixture.truncated]
        @Sendable func read(_ path: String) -> JPEGReading? { try? JPEGReading.read(path: path, maxPixels: 250_000_000) }
        let once = paths.map(read)
        #expect(once.dropLast().allSatisfy { $0 != nil } && once.last! == nil)
        let again = concurrentMap(4 * paths.count, workers: 4) { k in read(paths[k % paths.count]) }
        for (k, reading) in again.enumerated() {
            let first = once[k % paths.count]
            #expect(reading?.plane.pixels == first?.plane.pixels && reading?.detailTiles == first?.detailTiles, "\(paths[k % paths.count])")
        }
    }

    @Test func theDetailTilesAreTheDecodedPixelsOfTheMostDetailedTiles() throws {
        let reading = try Self.read(Self.fixture.baseline)
        // The tiles' pixels are what libvips decodes where each tile says it lies.
        let image = try DecodedImage.load(path: Self.fixture.baseline, maxSide: 2400, maxPixels: 250_000_000)
        let gray = image.gray
        let side = DetailSpectrum.tileSide
        var best: [Double] = []
        for tile in reading.detailTiles.prefix(4) {
            #expect(tile.x % side == 0 && tile.y % side == 0 && tile.x + side <= image.width && tile.y + side <= image.height)
            var sum = 0.0
            for y in 0..<side {
                for x in 0..<side { sum += abs(Double(gray[(tile.y + y) * image.width + tile.x + x]) - Double(tile.pixels[y * side + x])) }
            }
            best.append(sum / Double(side * side))
        }
        // Luma against libvips' RGB→grey round trip: a level or two of rounding apart.
        #expect(best.allSatisfy { $0 < 2.5 }, "\(best)")
        // And they are the detailed ones: more gradient than the image's average tile.
        let spectrum = DetailSpectrum.measure(tiles: reading.detailTiles)
        let pixelPath = gray.withUnsafeBufferPointer { DetailSpectrum.measure(bytes: $0, width: image.width, height: image.height) }
        let a = DetailModel().assess(spectrum, longSide: 2400), b = DetailModel().assess(pixelPath, longSide: 2400)
        #expect(abs(a.sharpness - b.sharpness) < 0.15, "coefficient path \(a.sharpness), pixel path \(b.sharpness)")
    }

    @Test func anEXIFRotatedJPEGIsTurnedLikeLibvipsTurnsIt() throws {
        let reading = try Self.read(Self.fixture.rotated)
        #expect(reading.orientation == 6)
        #expect(reading.width == 2400 && reading.height == 1600)
        #expect(reading.plane.width == 300 && reading.plane.height == 200)
        #expect(try Self.differenceFromLibvips(reading.plane, path: Self.fixture.rotated) < 1.5)
        // And it hashes as its upright twin.
        let upright = try Self.read(Self.fixture.baseline)
        let a = PerceptualHash.pHash(reading.plane), b = PerceptualHash.pHash(upright.plane)
        #expect(a.distance(to: b) <= 4)
    }

    @Test func aGreyJPEGIsGreyAndAColourOneIsNot() throws {
        #expect(try Self.read(Self.fixture.grey).grayscale)
        #expect(try !Self.read(Self.fixture.baseline).grayscale)
    }

    @Test func aTruncatedJPEGIsAClearErrorNotACrash() throws {
        do {
            _ = try JPEGReading.read(path: Self.fixture.truncated, maxPixels: 250_000_000)
            Issue.record("a truncated JPEG was read")
        } catch let error as DecodeError {
            #expect(error.message.contains("Premature end"), "\(error.message)")
            #expect(!error.notAnImage)
        }
        // Through the analyser, as a scan runs it.
        let analyzer = ImageAnalyzer(settings: AnalysisSettings(), stages: [QualityStage()])
        #expect(throws: DecodeError.self) { try analyzer.analyze(path: Self.fixture.truncated, sha256: "", byteCount: 0) }
    }

    @Test func thePixelLimitRefusesABombBeforeDecoding() throws {
        // 60000×60000 would need 10 GB of coefficients; the header alone decides.
        do {
            _ = try JPEGReading.read(path: Self.fixture.bomb, maxPixels: 250_000_000)
            Issue.record("a bomb was read")
        } catch let error as DecodeError {
            #expect(error.message.contains("pixel limit"), "\(error.message)")
        }
        #expect(throws: DecodeError.self) { try JPEGReading.read(path: Self.fixture.baseline, maxPixels: 1_000_000) }
    }

    @Test func aProgressiveJPEGWhoseCoefficientsWouldNotFitTheBudgetGoesToLibvips() throws {
        // A progressive file is decoded whole first: at 8000×5000 (4:4:4, libvips' default at q90) its
        // coefficients would take 240 MB.
        let progressive = try Data(contentsOf: URL(fileURLWithPath: Self.fixture.progressive))
        let big = Self.fixture.path("big-444-progressive.jpg")
        try Self.claimingSize(progressive, width: 8000, height: 5000).write(to: URL(fileURLWithPath: big))
        #expect(try JPEGReading.read(path: big, maxPixels: 250_000_000) == nil)
        // A baseline file of that size is read as it decodes, in a few block rows: not sent to libvips.
        // (This one's scan ends early: libjpeg warns of the premature end and zero-fills, as it would
        // for any decode of such a file.)
        let baseline = try Data(contentsOf: URL(fileURLWithPath: Self.fixture.baseline))
        let bigBaseline = Self.fixture.path("big-444-baseline.jpg")
        try Self.claimingSize(baseline, width: 8000, height: 5000).write(to: URL(fileURLWithPath: bigBaseline))
        let reading = try #require(try JPEGReading.read(path: bigBaseline, maxPixels: 250_000_000))
        #expect(reading.width == 8000 && reading.height == 5000)
    }

    /// A baseline JPEG is read block row by block row while it decodes; a progressive one only once
    /// decoded whole. Both ways must give the same reading, bit for bit.
    @Test(arguments: ["baseline.jpg", "grey.jpg", "rotated.jpg"])
    func aJPEGReadAsItDecodesReadsExactlyAsOneDecodedWhole(_ name: String) throws {
        let path = Self.fixture.path(name)
        let streamed = try Self.read(path)
        let whole = try #require(try JPEGReading.read(path: path, maxPixels: 250_000_000, wholeImage: true))
        #expect(streamed.plane.pixels == whole.plane.pixels && streamed.plane.width == whole.plane.width)
        #expect(streamed.detailTiles == whole.detailTiles && streamed.grayscale == whole.grayscale)
    }

    @Test func aPNGIsReadFromItsPixelsNotItsCoefficients() throws {
        #expect(try JPEGReading.read(path: Self.fixture.png, maxPixels: 250_000_000) == nil)
        let image = try DecodedImage.forAnalysis(path: Self.fixture.png, maxSide: 1024, maxPixels: 250_000_000, workingPixels: false)
        #expect(image.jpeg == nil && image.pixelReading != nil && image.format == "pngload")
    }

    @Test func aPNGIsDecodedOnceForItsSmallImageAndItsDetailTiles() throws {
        let image = try DecodedImage.forAnalysis(path: Self.fixture.png, maxSide: 1024, maxPixels: 250_000_000, workingPixels: false)
        let tiles = try #require(image.pixelReading?.detailTiles)
        #expect(tiles.count == DetailSpectrum.maxTiles)
        // The streamed native decode the quality stage falls back to for big images measures the same
        // detail (its luma is libvips' float, rounded otherwise: single levels differ).
        let once = DetailModel().assess(DetailSpectrum.measure(tiles: tiles), longSide: 2400)
        let streamed = DetailModel().assess(try QualityStage.nativeSpectrum(path: Self.fixture.png, maxPixels: 250_000_000), longSide: 2400)
        #expect(once.detailPixels == streamed.detailPixels && once.blurry == streamed.blurry && once.upscaled == streamed.upscaled)
        #expect(abs(once.sharpness - streamed.sharpness) < 0.02)
        // A PNG cut in half is an error from that one decode, not a half-grey image.
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.fixture.png))
        let cut = Self.fixture.path("cut.png")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(throws: DecodeError.self) {
            try DecodedImage.forAnalysis(path: cut, maxSide: 1024, maxPixels: 250_000_000, workingPixels: true)
        }
    }

    @Test func aPNGIsHashedFromTheSameSmallImageAsItsJPEGOriginal() throws {
        let jpeg = try Self.read(Self.fixture.baseline).plane
        let png = try #require(try DecodedImage.forAnalysis(path: Self.fixture.png, maxSide: 1024, maxPixels: 250_000_000,
                                                            workingPixels: false).pixelReading?.plane)
        #expect(png.width == jpeg.width && png.height == jpeg.height)
        // Block means of the decoded pixels against the DC terms they were decoded from: rounding apart, equal.
        let gaps = zip(png.pixels, jpeg.pixels).map { abs($0 - $1) }
        #expect(gaps.reduce(0, +) / Float(gaps.count) < 0.5)
        #expect(gaps.max()! < 2)
    }

    @Test func aPNGWithAnEXIFOrientationIsTurnedUpright() throws {
        let image = try DecodedImage.forAnalysis(path: Self.fixture.rotatedPNG, maxSide: 1024, maxPixels: 250_000_000, workingPixels: true)
        #expect(image.fullWidth == 2400 && image.fullHeight == 1600 && image.width == 1024)
        let upright = try #require(image.pixelReading?.plane)
        let reference = try Self.read(Self.fixture.baseline).plane
        #expect(upright.width == reference.width && upright.height == reference.height)
        let gap = zip(upright.pixels, reference.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(upright.pixels.count)
        #expect(gap < 2, "mean gap \(gap) levels")
    }

    /// Face detection reads the working RGB: then a JPEG gets a libvips decode too (a PNG, a copy shrunk from
    /// its one decode), and the hashes and the detail still come from the reading.
    @Test(arguments: ["baseline.jpg", "lossless.png"])
    func anImageIsNotDecodedToWorkingPixelsUnlessAStageReadsThem(_ name: String) throws {
        let path = Self.fixture.path(name)
        let bare = try DecodedImage.forAnalysis(path: path, maxSide: 1024, maxPixels: 250_000_000, workingPixels: false)
        #expect(bare.rgb.isEmpty && bare.fullWidth == 2400 && bare.fullHeight == 1600)
        #expect((bare.jpeg != nil) == name.hasSuffix(".jpg") && (bare.pixelReading != nil) == name.hasSuffix(".png"))
        let withPixels = try DecodedImage.forAnalysis(path: path, maxSide: 1024, maxPixels: 250_000_000, workingPixels: true)
        #expect(withPixels.width == 1024 && withPixels.rgb.count == 1024 * withPixels.height * 3)
        var a = ImageFacts(sha256: "", byteCount: 0, width: 2400, height: 1600, format: bare.format), b = a
        try QualityStage().analyze(bare, path: path, facts: &a)
        try QualityStage().analyze(withPixels, path: path, facts: &b)
        #expect(a == b)
    }
}
