import Foundation
import Testing
import WinnowCore

/// `winnow sheet` on a database the real daemon made from real images.
@Suite(.serialized) struct SheetCommandTests {
    struct Report: Decodable {
        var path: String
        var width: Int
        var height: Int
        var kept: Int
        var setAside: Int
        var anglesFilled: Int
    }

    /// Width and height from a PNG's IHDR chunk (after checking the signature).
    static func pngSize(_ file: URL) throws -> (width: Int, height: Int)? {
        let data = try Data(contentsOf: file)
        guard data.count > 24, data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              data[12..<16] == Data("IHDR".utf8) else { return nil }
        let be = { (offset: Int) in data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    @Test func drawsOnePNGWithARowPerAngleAndTheRejects() throws {
        let harness = try DaemonHarness()
        defer { harness.cleanUp() }
        try harness.startDaemon()
        let names = try DaemonHarness.faceImageNames(12)
        try harness.saveImages(names, subject: "anne")
        try FileManager.default.copyItem(at: DaemonHarness.faceImages.appendingPathComponent(names[0]),
                                         to: harness.drop.appendingPathComponent("anne/copy.jpg"))
        try Data("not a picture".utf8).write(to: harness.drop.appendingPathComponent("anne/page.jpg"))
        try harness.wait("14 files placed", timeout: 90) { harness.placedFiles.count == 14 }
        try harness.stopDaemon()

        // Piped, the listing carries no colour codes (they are for terminals only).
        let listing = try harness.run(["ls", "--subject", "anne"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("kept") && listing.stdout.contains("duplicate"))
        #expect(!listing.stdout.contains("\u{1B}["))
        // On a terminal the verdicts are coloured, unless NO_COLOR says otherwise.
        let coloured = try harness.runOnTerminal(["ls", "--subject", "anne"])
        #expect(coloured.status == 0)
        #expect(coloured.stdout.contains("\u{1B}[32mkept\u{1B}[0m"))
        harness.environment["NO_COLOR"] = "1"
        #expect(!(try harness.runOnTerminal(["ls", "--subject", "anne"]).stdout.contains("\u{1B}[")))
        harness.environment["NO_COLOR"] = nil

        let png = harness.home.appendingPathComponent("anne.png")
        let result = try harness.run(["sheet", "anne", "-o", png.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.path == png.path)
        // What the sheet shows is what the journal says (the judging stages decide how many are kept).
        let rows = try Journal(database: WinnowDatabase(file: harness.databaseFile)).list(subject: "anne")
        #expect(report.kept == rows.filter { $0.effectiveVerdict == .kept }.count)
        #expect(report.setAside == 14 - report.kept && report.setAside >= 2)

        let size = try #require(try Self.pngSize(png), "a PNG file")
        #expect(size.width == report.width && size.height == report.height)
        // Ten 150-px thumbnails across plus the label column; 15 angle rows (empty ones short),
        // a row of kept images and two reject rows below.
        #expect((1600...2000).contains(size.width))
        #expect((1000...3000).contains(size.height))
        // libvips reads it back as a whole image.
        let decoded = try DecodedImage.load(path: png.path, maxSide: 256, maxPixels: 100_000_000)
        #expect(decoded.fullWidth == size.width && decoded.fullHeight == size.height)

        // Without --json: one line naming the file.
        let human = try harness.run(["sheet", "anne", "-o", png.path])
        #expect(human.status == 0)
        #expect(human.stdout.hasPrefix(png.path + "  ("))
    }

    @Test func anUnknownSubjectIsAnErrorAndABadOutputNameAUsageError() throws {
        let harness = try DaemonHarness()
        defer { harness.cleanUp() }
        let unknown = try harness.run(["sheet", "nobody", "-o", harness.home.appendingPathComponent("x.png").path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no images of \"nobody\" yet"))
        #expect(!FileManager.default.fileExists(atPath: harness.home.appendingPathComponent("x.png").path))

        let usage = try harness.run(["sheet", "anne", "-o", "sheet.jpg"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains(".png"))
    }
}
