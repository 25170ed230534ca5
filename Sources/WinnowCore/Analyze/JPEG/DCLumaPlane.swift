import Foundation

/// Builds a JPEG's small luma image from its luma block rows as they are decoded: the DC terms (one pixel
/// per block) for big images, or a `k`×`k` inverse DCT of each block's lowest frequencies for small ones
/// (`JPEGReading.pixelsPerBlock`).
final class DCLumaPlane {
    private let k: Int
    private let idct: BlockIDCT
    private let blocksWide: Int
    /// Blocks cover the image rounded up to 8 pixels; the plane keeps only what lies inside it.
    private let fullWidth: Int
    let width: Int
    let height: Int
    private var pixels: [Float]
    private var quant: [Float] = []

    init(width imageWidth: Int, height imageHeight: Int, blocksWide: Int, blocksHigh: Int) {
        k = JPEGReading.pixelsPerBlock(width: imageWidth, height: imageHeight)
        idct = BlockIDCT(pixelsPerBlock: k)
        self.blocksWide = blocksWide
        fullWidth = blocksWide * k
        width = max(1, min(fullWidth, (imageWidth * k + 7) / 8))
        height = max(1, min(blocksHigh * k, (imageHeight * k + 7) / 8))
        pixels = [Float](repeating: 0, count: width * height)
    }

    /// The plane as stored (not turned).
    var plane: GrayPlane { GrayPlane(width: width, height: height, pixels: pixels) }

    /// Adds luma block row `by` (`blocksWide` blocks, natural order) with its quantisation table.
    func add(row by: Int, blocks row: UnsafePointer<Int16>, quant table: UnsafePointer<UInt16>) {
        guard by * k < height else { return }
        if quant.isEmpty { quant = (0..<64).map { Float(table[$0]) } }
        let width = width, height = height, k = k
        quant.withUnsafeBufferPointer { q in
            pixels.withUnsafeMutableBufferPointer { out in
                if k == 1 {
                    // The DC terms: one pixel per block, written straight into the plane.
                    let dc = q[0], line = out.baseAddress! + by * width
                    for bx in 0..<width { line[bx] = Float(row[64 * bx]) * dc / 8 + 128 }
                    return
                }
                // The block row into k padded lines; the lines inside the image are kept.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: k * fullWidth) { lines in
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
}
