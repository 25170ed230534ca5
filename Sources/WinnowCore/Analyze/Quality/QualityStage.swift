import Foundation
import VipsShim

/// Fills `QualityFacts`: perceptual hashes and the look from the shared shrunk decode, and sharpness,
/// blur and upscale from the native-resolution spectrum. A JPEG's coefficients serve both (`JPEGReading`):
/// its small luma image for the hashes, its most detailed tiles for the spectrum.
public struct QualityStage: AnalysisStage {
    public let model: DetailModel
    public let maxPixels: Int64

    public init(model: DetailModel = DetailModel(), maxPixels: Int64 = 250_000_000) {
        self.model = model
        self.maxPixels = maxPixels
    }

    /// A JPEG read through its coefficients needs no pixel decode; other formats bring their own.
    public var readsWorkingPixels: Bool { false }

    public func analyze(_ image: DecodedImage, path: String, facts: inout ImageFacts) throws {
        let plane: GrayPlane, spectrum: DetailSpectrum, grayscale: Bool
        if let jpeg = image.jpeg {
            plane = jpeg.plane
            spectrum = DetailSpectrum.measure(tiles: jpeg.detailTiles)
            grayscale = jpeg.grayscale
        } else if let reading = image.pixelReading {
            plane = reading.plane
            spectrum = DetailSpectrum.measure(tiles: reading.detailTiles)
            grayscale = reading.grayscale
        } else {
            plane = GrayPlane(width: image.width, height: image.height, bytes: image.gray)
            spectrum = try Self.nativeSpectrum(path: path, maxPixels: maxPixels)
            grayscale = Self.isGrayscale(image)
        }
        let small = plane.resampled(width: 32, height: 32)
        let detail = model.assess(spectrum, longSide: facts.longSide)
        facts.quality = QualityFacts(
            dhash: PerceptualHash.dHash(plane).hex,
            phash: PerceptualHash.pHash(resampled32: small).hex,
            phashMirror: PerceptualHash.pHash(resampled32: small.mirrored).hex,
            look: Data(PerceptualHash.look(plane)).base64EncodedString(),
            grayscale: grayscale,
            detailPixels: detail.detailPixels, blurry: detail.blurry, upscaled: detail.upscaled,
            sharpness: Self.rounded(detail.sharpness),
            spectrum: spectrum.profile.map(Self.rounded),
            detailFeatures: DetailFeatures(spectrum),
            jpegQuality: image.format == "jpegload" ? JPEGQuality.estimate(path: path) : nil)
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// The spectrum of the image's native pixels (one sequential grey decode; this path serves big images,
    /// one at a time).
    static func nativeSpectrum(path: String, maxPixels: Int64) throws -> DetailSpectrum {
        try BigDecodeGate.run(holding: .max) {
            var pixels = winnow_pixels()
            var error: UnsafeMutablePointer<CChar>?
            if winnow_vips_gray_native(path, maxPixels, &pixels, &error) != 0 {
                throw DecodeError(message: Vips.take(error), notAnImage: false)
            }
            defer { winnow_pixels_free(&pixels) }
            let buffer = UnsafeBufferPointer(start: pixels.data, count: Int(pixels.width) * Int(pixels.height))
            return DetailSpectrum.measure(bytes: buffer, width: Int(pixels.width), height: Int(pixels.height))
        }
    }

    /// Mean channel spread under 3 levels: grey, or nearly so.
    static func isGrayscale(_ image: DecodedImage) -> Bool {
        var spread = 0
        let count = image.width * image.height
        guard count > 0 else { return false }
        image.rgb.withUnsafeBufferPointer { p in
            for i in stride(from: 0, to: count, by: 7) {
                let r = Int(p[3 * i]), g = Int(p[3 * i + 1]), b = Int(p[3 * i + 2])
                spread += max(r, g, b) - min(r, g, b)
            }
        }
        return Double(spread) / Double((count + 6) / 7) < 3
    }
}
