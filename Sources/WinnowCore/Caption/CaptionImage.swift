import Foundation
import VipsShim

/// The image as an external captioner gets it: shrunk to at most `maxSide` and re-encoded as JPEG,
/// so an 8000×5000 original does not become a 30 MB request. Vision models see ~1 MP at most anyway.
enum CaptionImage {
    static func jpeg(path: String, maxSide: Int = 1024, maxPixels: Int64) throws -> Data {
        let image = try DecodedImage.load(path: path, maxSide: maxSide, maxPixels: maxPixels)
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("winnow-caption-\(getpid())-\(UUID().uuidString.prefix(8)).jpg")
        defer { unlink(temporary.path) }
        var error: UnsafeMutablePointer<CChar>?
        let status = image.rgb.withUnsafeBufferPointer { buffer -> Int32 in
            var pixels = winnow_pixels(width: Int32(image.width), height: Int32(image.height), bands: 3,
                                       data: UnsafeMutablePointer(mutating: buffer.baseAddress))
            return winnow_vips_save(&pixels, temporary.path, &error)
        }
        guard status == 0 else { throw CaptionerError("cannot encode the image for the captioner: \(Vips.take(error))") }
        return try Data(contentsOf: temporary)
    }
}
