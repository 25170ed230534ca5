import Foundation

/// What one entropy-decoding pass over a JPEG gives the analysis, in place of any pixel decode, read
/// from its block rows as they are decoded:
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
    public let detailTiles: [DetailTile]

    /// The small image keeps at least this many pixels on its short side when the image has them: three
    /// times the look's side. Chosen on DEV (scripts/eval-quality): at twice, keep-best fell from 120 to
    /// 118 of 129 groups (ties between an original and its re-save decided by looks too coarse); at four
    /// times a crop went unmatched; at three, every figure is main's or better.
    public static let minimumPlaneSide = 3 * PerceptualHash.lookSide

    /// A multi-scan (progressive) file is decoded whole before it is read: libjpeg then keeps every
    /// coefficient, chroma included, 6 bytes per pixel without chroma subsampling, against 1 for libvips'
    /// streamed grey decode. Above this (an 8000×5000 4:4:4 file needs 240 MB; the same at 4:2:0,
    /// 120 MB) such a file goes to libvips, which costs more CPU but keeps the scan's peak memory down.
    /// A single-scan (baseline) file is read as it decodes, in a few block rows, whatever its size.
    public static let coefficientBudget = 128 << 20

    /// Reads `path` through libjpeg's coefficient API; nil when this path does not read the file
    /// (not a JPEG, a layout such as CMYK or 12-bit, or a multi-scan file over `coefficientBudget`:
    /// libvips decodes those). Throws a `DecodeError` for a file over `maxPixels` (checked on the header,
    /// before any coefficient is decoded) and for a truncated or corrupt one. `wholeImage` decodes a
    /// single-scan file whole before reading it, as a multi-scan one must be (the same reading).
    public static func read(path: String, maxPixels: Int64, tiles: Int = DetailSpectrum.maxTiles,
                            wholeImage: Bool = false) throws -> JPEGReading? {
        guard let jpeg = JPEGCoefficients(path: path) else { return nil }
        if Int64(jpeg.width) * Int64(jpeg.height) > maxPixels {
            throw DecodeError(message: "image is \(jpeg.width)x\(jpeg.height), over the \(maxPixels)-pixel limit (decompression bomb?)",
                              notAnImage: false)
        }
        guard !(jpeg.multipleScans || wholeImage) || jpeg.coefficientBytes <= coefficientBudget else { return nil }
        let plane = DCLumaPlane(width: jpeg.width, height: jpeg.height, blocksWide: jpeg.widthInBlocks[0], blocksHigh: jpeg.heightInBlocks[0])
        let selection = DetailTileSelection(width: jpeg.width, height: jpeg.height, count: tiles)
        let grey = ChromaGreyCheck(widthInBlocks: jpeg.widthInBlocks, heightInBlocks: jpeg.heightInBlocks)
        // Decoded whole, a file holds all its coefficients until read; streamed, a few block rows.
        try BigDecodeGate.run(holding: jpeg.multipleScans || wholeImage ? jpeg.coefficientBytes : 0) {
            try jpeg.read(wholeImage: wholeImage) { component, row, blocks, quant in
                if component == 0 {
                    plane.add(row: row, blocks: blocks, quant: quant)
                    selection.add(row: row, blocks: blocks, quant: quant)
                } else {
                    grey.add(component: component, row: row, blocks: blocks, quant: quant)
                }
            }
        }
        let swap = ExifOrientation.swapsAxes(jpeg.orientation)
        return JPEGReading(width: swap ? jpeg.height : jpeg.width, height: swap ? jpeg.width : jpeg.height,
                           orientation: jpeg.orientation,
                           plane: plane.plane.oriented(jpeg.orientation),
                           grayscale: grey.isGrayscale,
                           detailTiles: selection.tiles())
    }

    /// Pixels per block side for the small image: 1 (the DC terms) unless the short side would fall
    /// under `minimumPlaneSide`.
    static func pixelsPerBlock(width: Int, height: Int) -> Int {
        for k in [1, 2, 4] where min(width, height) * k / 8 >= minimumPlaneSide { return k }
        return 8
    }
}
