import Foundation

/// What one entropy-decoding pass over a JPEG gives the analysis, in place of any pixel decode:
/// a small luma image built from the lowest DCT frequencies (the DC terms alone for big images) for the
/// hashes and the look, a grey-or-colour answer from the chroma DC terms, and the native-resolution luma
/// of the most detailed 64×64 tiles, rebuilt by inverse DCT of their blocks, for the detail spectrum.
public struct JPEGReading: Sendable {
    /// Full size as a viewer shows it (after EXIF orientation).
    public let width: Int
    public let height: Int
    /// EXIF orientation (1–8) the small image was turned by.
    public let orientation: Int
    /// Luma at 1/8, 1/4, 1/2 or full scale (the smallest whose short side keeps `minimumPlaneSide`),
    /// turned upright like libvips' auto-rotated decode: 0–255 scale, not rounded.
    public let plane: GrayPlane
    /// Whether the image is (nearly) grey, judged from the chroma DC terms.
    public let grayscale: Bool
    /// The most detailed `DetailSpectrum.tileSide`² tiles of native luma (as stored, not turned), most
    /// detailed first, rounded and clamped to 0–255 as a decoder's output would be.
    public let detailTiles: [[Float]]

    /// The small image keeps at least this many pixels on its short side when the image has them: three
    /// times the look's side. Chosen on DEV (scripts/eval-quality): at twice, keep-best fell from 120 to
    /// 118 of 129 groups (ties between an original and its re-save decided by looks too coarse); at four
    /// times a crop went unmatched; at three, every figure is main's or better.
    public static let minimumPlaneSide = 3 * PerceptualHash.lookSide

    /// libjpeg keeps every coefficient of the image in memory, chroma included: 6 bytes per pixel without
    /// chroma subsampling, against 1 for libvips' streamed grey decode. Above this (an 8000×5000 4:4:4
    /// file needs 240 MB; the same at 4:2:0, 120 MB) the file goes to libvips, which costs more CPU but
    /// keeps the scan's peak memory down.
    public static let coefficientBudget = 128 << 20

    /// Reads `path` through libjpeg's coefficient API; nil when this path does not read the file
    /// (not a JPEG, a layout such as CMYK or 12-bit, or over `coefficientBudget`: libvips decodes those). Throws a `DecodeError`
    /// for a file over `maxPixels` (checked on the header, before any coefficient is allocated) and for
    /// a truncated or corrupt one.
    public static func read(path: String, maxPixels: Int64, tiles: Int = DetailSpectrum.maxTiles) throws -> JPEGReading? {
        guard let jpeg = JPEGCoefficients(path: path) else { return nil }
        if Int64(jpeg.width) * Int64(jpeg.height) > maxPixels {
            throw DecodeError(message: "image is \(jpeg.width)x\(jpeg.height), over the \(maxPixels)-pixel limit (decompression bomb?)",
                              notAnImage: false)
        }
        guard jpeg.coefficientBytes <= coefficientBudget else { return nil }
        try jpeg.read()
        let swap = ExifOrientation.swapsAxes(jpeg.orientation)
        return JPEGReading(width: swap ? jpeg.height : jpeg.width, height: swap ? jpeg.width : jpeg.height,
                           orientation: jpeg.orientation,
                           plane: lumaPlane(jpeg).oriented(jpeg.orientation),
                           grayscale: isGrayscale(jpeg),
                           detailTiles: DetailTileSelection.tiles(jpeg, count: tiles))
    }

    /// Pixels per block side for the small image: 1 (the DC terms) unless the short side would fall
    /// under `minimumPlaneSide`.
    static func pixelsPerBlock(width: Int, height: Int) -> Int {
        for k in [1, 2, 4] where min(width, height) * k / 8 >= minimumPlaneSide { return k }
        return 8
    }

    /// The luma plane at the scale `pixelsPerBlock` picks, as stored (not turned).
    static func lumaPlane(_ jpeg: JPEGCoefficients) -> GrayPlane {
        let k = pixelsPerBlock(width: jpeg.width, height: jpeg.height)
        let idct = BlockIDCT(pixelsPerBlock: k)
        let blocksWide = jpeg.widthInBlocks[0], blocksHigh = jpeg.heightInBlocks[0]
        // Blocks cover the image rounded up to 8 pixels; the plane keeps only what lies inside it.
        let fullWidth = blocksWide * k, fullHeight = blocksHigh * k
        let width = max(1, min(fullWidth, (jpeg.width * k + 7) / 8)), height = max(1, min(fullHeight, (jpeg.height * k + 7) / 8))
        var pixels = [Float](repeating: 0, count: width * height)
        let quant = jpeg.quantisation[0].map(Float.init)
        quant.withUnsafeBufferPointer { q in
            pixels.withUnsafeMutableBufferPointer { out in
                if k == 1 {
                    // The DC terms: one pixel per block, written straight into the plane.
                    let dc = q[0]
                    for by in 0..<height {
                        let row = jpeg.blockRow(0, by), line = out.baseAddress! + by * width
                        for bx in 0..<width { line[bx] = Float(row[64 * bx]) * dc / 8 + 128 }
                    }
                    return
                }
                // One block row at a time into k padded lines; the lines inside the image are kept.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: k * fullWidth) { lines in
                    for by in 0..<blocksHigh where by * k < height {
                        let row = jpeg.blockRow(0, by)
                        for bx in 0..<blocksWide {
                            idct.pixels(row + 64 * bx, quant: q.baseAddress!, into: lines.baseAddress! + bx * k, stride: fullWidth)
                        }
                        for r in 0..<min(k, height - by * k) {
                            (out.baseAddress! + (by * k + r) * width).update(from: lines.baseAddress! + r * fullWidth, count: width)
                        }
                    }
                }
            }
        }
        return GrayPlane(width: width, height: height, pixels: pixels)
    }

    /// Grey when the mean channel spread (max − min of R, G, B) over the chroma blocks is under 3 levels,
    /// the rule the libvips path applies to its pixels. R, G and B differ only through Cb and Cr, so the
    /// chroma DC terms (each block's mean colour) answer it without the luma.
    static func isGrayscale(_ jpeg: JPEGCoefficients) -> Bool {
        guard jpeg.components == 3 else { return true }
        let qb = Double(jpeg.quantisation[1][0]) / 8, qr = Double(jpeg.quantisation[2][0]) / 8
        let blocksWide = min(jpeg.widthInBlocks[1], jpeg.widthInBlocks[2])
        let blocksHigh = min(jpeg.heightInBlocks[1], jpeg.heightInBlocks[2])
        guard blocksWide > 0, blocksHigh > 0 else { return true }
        var spread = 0.0
        for by in 0..<blocksHigh {
            let cbRow = jpeg.blockRow(1, by), crRow = jpeg.blockRow(2, by)
            for bx in 0..<blocksWide {
                let cb = Double(cbRow[64 * bx]) * qb, cr = Double(crRow[64 * bx]) * qr
                let r = 1.402 * cr, g = -0.344136 * cb - 0.714136 * cr, b = 1.772 * cb
                spread += max(r, g, b) - min(r, g, b)
            }
        }
        return spread / Double(blocksWide * blocksHigh) < 3
    }
}
