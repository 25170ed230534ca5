import Foundation
import VipsShim

/// Why an image could not be decoded, in the decoder's words.
public struct DecodeError: Error, CustomStringConvertible, Equatable {
    public var message: String
    /// True when libvips does not recognise the bytes as any image format.
    public var notAnImage: Bool
    public var description: String { message }
}

/// The one shrunk decode of an image that every analysis works from (8-bit sRGB, interleaved), and for
/// a JPEG what its coefficients give (`jpeg`).
public struct DecodedImage: Sendable {
    /// Size of the working RGB decode: 0×0 when no stage asked for it (a JPEG analysed from its coefficients).
    public let width: Int
    public let height: Int
    /// RGB bytes, row-major (empty when not decoded).
    public let rgb: [UInt8]
    /// Size of the full image after EXIF rotation.
    public let fullWidth: Int
    public let fullHeight: Int
    /// libvips loader name, e.g. "jpegload".
    public let format: String
    /// For a JPEG the coefficient path reads: the small luma image, grey-or-colour and the detail tiles,
    /// from one entropy-decoding pass. Nil for other formats (and from `load`).
    public var jpeg: JPEGReading?
    /// For a still WebP (from its Y, U, V planes: `WebPReading`), and for a PNG, … decoded whole once
    /// (`decodeOncePixels`): what its native pixels give, in place of the JPEG path's reading. Nil when
    /// the quality stage must decode the native pixels itself.
    public var pixelReading: PixelReading?

    public init(width: Int, height: Int, rgb: [UInt8], fullWidth: Int, fullHeight: Int, format: String,
                jpeg: JPEGReading? = nil) {
        self.width = width
        self.height = height
        self.rgb = rgb
        self.fullWidth = fullWidth
        self.fullHeight = fullHeight
        self.format = format
        self.jpeg = jpeg
    }

    /// What the analysis stages work from. A JPEG is read once through its coefficients (`JPEGReading`),
    /// a still WebP once through its Y, U, V planes (`WebPReading`); for them the libvips working decode
    /// is added only when `workingPixels` is true (a stage reads the RGB, like face detection), so
    /// `winnow scan --no-faces` never decodes their pixels to RGB. Other formats are decoded whole once
    /// (`PixelReading`), and shrunk from that decode when a stage reads the RGB; above `decodeOncePixels`,
    /// and for JPEG layouts the coefficient path does not read, libvips gives the working decode and the
    /// quality stage streams the native pixels itself.
    public static func forAnalysis(path: String, maxSide: Int, maxPixels: Int64, workingPixels: Bool) throws -> DecodedImage {
        // The malloc settings made there serve libjpeg's coefficient arrays too.
        Vips.start()
        if let reading = try JPEGReading.read(path: path, maxPixels: maxPixels) {
            guard workingPixels else {
                return DecodedImage(width: 0, height: 0, rgb: [], fullWidth: reading.width, fullHeight: reading.height,
                                    format: "jpegload", jpeg: reading)
            }
            var image = try load(path: path, maxSide: maxSide, maxPixels: maxPixels)
            image.jpeg = reading
            return image
        }
        if let webp = try WebPReading.read(path: path, maxPixels: maxPixels) {
            var image = workingPixels
                ? try load(path: path, maxSide: maxSide, maxPixels: maxPixels)
                : DecodedImage(width: 0, height: 0, rgb: [], fullWidth: webp.width, fullHeight: webp.height, format: "webpload")
            image.pixelReading = webp.reading
            return image
        }
        let (width, height, format) = try header(path: path)
        // A JPEG left to libvips shrinks on load cheaply, so it is decoded twice rather than held whole.
        guard format != "jpegload", Int64(width) * Int64(height) <= decodeOncePixels else {
            return try load(path: path, maxSide: maxSide, maxPixels: maxPixels)
        }
        return try decodeOnce(path: path, maxSide: workingPixels ? maxSide : 0, maxPixels: maxPixels, format: format)
    }

    /// The detail tiles need every native pixel, so up to this size a PNG, WebP, … is decoded once into
    /// memory for everything: at most 48 MB of RGB. Bigger images are decoded twice, streaming.
    static let decodeOncePixels: Int64 = 16_000_000

    /// Size and libvips loader name from the header alone.
    static func header(path: String) throws -> (width: Int, height: Int, format: String) {
        var width: Int32 = 0, height: Int32 = 0
        var loader: UnsafeMutablePointer<CChar>?
        var error: UnsafeMutablePointer<CChar>?
        if winnow_vips_header(path, &width, &height, &loader, &error) != 0 {
            throw DecodeError(message: Vips.take(error), notAnImage: true)
        }
        return (Int(width), Int(height), Vips.take(loader))
    }

    /// One full decode of `path` read by `PixelReading`; with `maxSide` > 0, also the working pixels.
    static func decodeOnce(path: String, maxSide: Int, maxPixels: Int64, format: String) throws -> DecodedImage {
        var native = winnow_pixels(), small = winnow_pixels(), orientation: Int32 = 1
        var error: UnsafeMutablePointer<CChar>?
        if winnow_vips_native(path, Int32(maxSide), maxPixels, &native, &orientation, &small, &error) != 0 {
            throw DecodeError(message: Vips.take(error), notAnImage: false)
        }
        defer { winnow_pixels_free(&native); winnow_pixels_free(&small) }
        let reading = PixelReading(
            pixels: UnsafeBufferPointer(start: native.data, count: Int(native.width) * Int(native.height) * Int(native.bands)),
            width: Int(native.width), height: Int(native.height), bands: Int(native.bands), orientation: Int(orientation))
        let swap = ExifOrientation.swapsAxes(Int(orientation))
        var image = DecodedImage(width: Int(small.width), height: Int(small.height),
                                 rgb: small.data.map { Array(UnsafeBufferPointer(start: $0, count: Int(small.width) * Int(small.height) * 3)) } ?? [],
                                 fullWidth: Int(swap ? native.height : native.width), fullHeight: Int(swap ? native.width : native.height),
                                 format: format)
        image.pixelReading = reading
        return image
    }

    /// Decodes `path` shrunk on load to at most `maxSide` pixels on the long side.
    public static func load(path: String, maxSide: Int, maxPixels: Int64) throws -> DecodedImage {
        Vips.start()
        let (width, height, format) = try header(path: path)
        var pixels = winnow_pixels()
        var error: UnsafeMutablePointer<CChar>?
        // Shrunk on load; a JPEG by libjpeg's scaled decode, but a PNG, WebP, … at native resolution
        // on the way.
        let status = BigDecodeGate.run(holding: format == "jpegload" ? 0 : 3 * width * height) {
            winnow_vips_thumbnail(path, Int32(maxSide), maxPixels, &pixels, &error)
        }
        if status != 0 {
            throw DecodeError(message: Vips.take(error), notAnImage: false)
        }
        defer { winnow_pixels_free(&pixels) }
        let count = Int(pixels.width) * Int(pixels.height) * Int(pixels.bands)
        let rgb = Array(UnsafeBufferPointer(start: pixels.data, count: count))
        // vips_thumbnail auto-rotates; swap the header size to match when it did.
        let rotated = (pixels.width > pixels.height) != (width > height) && pixels.width != pixels.height
        return DecodedImage(width: Int(pixels.width), height: Int(pixels.height), rgb: rgb,
                            fullWidth: rotated ? height : width, fullHeight: rotated ? width : height, format: format)
    }

    /// Luminance (Rec. 601), one byte per pixel.
    public var gray: [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height)
        rgb.withUnsafeBufferPointer { src in
            for i in 0..<(width * height) {
                let r = Int(src[3 * i]), g = Int(src[3 * i + 1]), b = Int(src[3 * i + 2])
                out[i] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
            }
        }
        return out
    }
}

/// Process-wide libvips start-up and string hand-over.
enum Vips {
    private static let started: Bool = winnow_vips_start() == 0

    static func start() { _ = started }

    static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        defer { winnow_string_free(pointer) }
        return String(cString: pointer)
    }
}
