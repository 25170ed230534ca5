import Foundation

/// What one full decode of a PNG, WebP, … gives the analysis: the same three things a JPEG's
/// coefficients give (`JPEGReading`), measured on its pixels in one pass.
///
/// The small image is the mean luma of each 8×8 block (4×4, 2×2 or 1×1 for small images, by the rule
/// `JPEGReading.pixelsPerBlock` applies): what a JPEG of the same picture holds in its DC terms. A PNG
/// re-save is then hashed from the same kind of image as its JPEG original, and no resampled copy of
/// the whole image is made (that copy, and libvips' float luma, doubled a WebP's cost over its decode).
public struct PixelReading: Sendable {
    /// Block-mean luma, 0–255 scale, not rounded, turned upright by the file's EXIF orientation.
    public let plane: GrayPlane
    /// Whether the image is (nearly) grey: the mean channel spread of the block means is under 3 levels.
    public let grayscale: Bool
    /// The most detailed native-resolution luma tiles (`DetailSpectrum.mostDetailedTiles`), as stored.
    public let detailTiles: [DetailTile]

    /// Reads `bands` (1: grey, 3 or more: R, G, B first) interleaved 8-bit pixels.
    public init(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bands: Int, orientation: Int) {
        self.init(pixels: pixels, width: width, height: height, bands: bands, orientation: orientation, grayscale: nil)
    }

    /// Reads a luma plane (`width` bytes a row) whose grey-or-colour answer comes from elsewhere
    /// (a WebP's chroma planes).
    init(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, orientation: Int, grayscale: Bool) {
        self.init(pixels: luma, width: width, height: height, bands: 1, orientation: orientation, grayscale: grayscale)
    }

    private init(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bands: Int, orientation: Int, grayscale known: Bool?) {
        precondition(width > 0 && height > 0 && bands > 0 && pixels.count >= width * height * bands)
        let f = 8 / JPEGReading.pixelsPerBlock(width: width, height: height)
        let planeWidth = (width + f - 1) / f, planeHeight = (height + f - 1) / f
        let colour = bands >= 3
        // A grey image is its own luma; only colour needs a luma copy.
        var luma = [UInt8](repeating: 0, count: colour ? width * height : 0)
        var means = [Float](repeating: 0, count: planeWidth * planeHeight)
        // Per block of the current block row: the sums of R, G and B (grey: three times the same).
        var sums = [Int](repeating: 0, count: planeWidth * 3)
        var spread = 0.0
        luma.withUnsafeMutableBufferPointer { out in
            sums.withUnsafeMutableBufferPointer { sum in
                for y in 0..<height {
                    let row = pixels.baseAddress! + y * width * bands
                    for block in 0..<planeWidth {
                        var r = 0, g = 0, b = 0
                        for x in (block * f)..<min(width, block * f + f) {
                            let p = row + x * bands
                            if colour {
                                let pr = Int(p[0]), pg = Int(p[1]), pb = Int(p[2])
                                // Rec. 601 in 16-bit fixed point, rounded: what a JPEG encoder stores as Y.
                                out[y * width + x] = UInt8(truncatingIfNeeded: (19595 * pr + 38470 * pg + 7471 * pb + 32768) >> 16)
                                r += pr; g += pg; b += pb
                            } else {
                                r += Int(p[0])
                            }
                        }
                        sum[3 * block] += r; sum[3 * block + 1] += colour ? g : r; sum[3 * block + 2] += colour ? b : r
                    }
                    guard (y + 1) % f == 0 || y == height - 1 else { continue }
                    let rows = y % f + 1, by = y / f
                    for block in 0..<planeWidth {
                        let n = Double(rows * (min(width, block * f + f) - block * f))
                        let r = Double(sum[3 * block]) / n, g = Double(sum[3 * block + 1]) / n, b = Double(sum[3 * block + 2]) / n
                        means[by * planeWidth + block] = Float(0.299 * r + 0.587 * g + 0.114 * b)
                        spread += max(r, g, b) - min(r, g, b)
                        sum[3 * block] = 0; sum[3 * block + 1] = 0; sum[3 * block + 2] = 0
                    }
                }
            }
        }
        plane = GrayPlane(width: planeWidth, height: planeHeight, pixels: means).oriented(orientation)
        grayscale = known ?? (spread / Double(planeWidth * planeHeight) < 3)
        detailTiles = colour
            ? luma.withUnsafeBufferPointer { DetailSpectrum.mostDetailedTiles(bytes: $0, width: width, height: height) }
            : DetailSpectrum.mostDetailedTiles(bytes: UnsafeBufferPointer(rebasing: pixels[0..<(width * height)]), width: width, height: height)
    }
}
