import Foundation
import WebPShim

/// Reads a still WebP from the planes it is stored in (libwebp's Y, U, V, alpha): its luma is the
/// Y plane brought to full range, its grey-or-colour answer comes from the chroma planes, and nothing
/// is converted to RGB. libvips' WebP loader decodes a whole RGBA frame first (an 8755×5837 file
/// peaked at 475 MB in a scan) and cost three times libwebp's own decode on DEV's WebPs.
enum WebPReading {
    /// The reading of `path`; nil when it is not a still WebP (not a WebP, an animation: libvips reads
    /// those). Throws a `DecodeError` for a file over `maxPixels` (checked on the header, before any
    /// pixel is decoded) and for a truncated or corrupt one.
    static func read(path: String, maxPixels: Int64) throws -> (reading: PixelReading, width: Int, height: Int)? {
        var handle: OpaquePointer?
        var info = winnow_webp_info()
        var error: UnsafeMutablePointer<CChar>?
        guard winnow_webp_open(path, &handle, &info, &error) == 0, let handle else {
            if let error { winnow_webp_string_free(error) }
            return nil
        }
        defer { winnow_webp_close(handle) }
        let width = Int(info.width), height = Int(info.height)
        if Int64(width) * Int64(height) > maxPixels {
            throw DecodeError(message: "image is \(width)x\(height), over the \(maxPixels)-pixel limit (decompression bomb?)",
                              notAnImage: false)
        }
        let orientation = info.exif.map { ExifOrientation.read(webpChunk: UnsafeBufferPointer(start: $0, count: info.exif_length)) } ?? 1
        let planeBytes = width * height * (info.has_alpha != 0 ? 5 : 3) / 2
        let reading = try BigDecodeGate.run(holding: planeBytes) {
            try read(handle, width: width, height: height, orientation: orientation)
        }
        let swap = ExifOrientation.swapsAxes(orientation)
        return (reading, swap ? height : width, swap ? width : height)
    }

    /// Decodes the open WebP's planes and reads them.
    private static func read(_ handle: OpaquePointer, width: Int, height: Int, orientation: Int) throws -> PixelReading {
        var planes = winnow_webp_planes()
        var error: UnsafeMutablePointer<CChar>?
        if winnow_webp_decode(handle, &planes, &error) != 0 {
            let message = error.map { String(cString: $0) } ?? "WebP decode failed"
            if let error { winnow_webp_string_free(error) }
            throw DecodeError(message: message, notAnImage: false)
        }
        let luma = UnsafeMutableBufferPointer(start: planes.y, count: width * height)
        let alpha = planes.a.map { UnsafeBufferPointer(start: $0, count: width * height) }
        fullRangeLuma(luma, alpha: alpha)
        let chromaWidth = (width + 1) / 2, chromaCount = chromaWidth * ((height + 1) / 2)
        let grey = isGrayscale(u: UnsafeBufferPointer(start: planes.u, count: chromaCount),
                               v: UnsafeBufferPointer(start: planes.v, count: chromaCount),
                               alpha: alpha, width: width, height: height)
        return PixelReading(luma: UnsafeBufferPointer(luma), width: width, height: height,
                            orientation: orientation, grayscale: grey)
    }

    /// Limited-range Y (16–235) to the full-range Rec. 601 luma of the RGB it stands for, flattened on
    /// white where there is alpha (luma is linear in R, G, B, so flattening commutes with it), in place.
    static func fullRangeLuma(_ y: UnsafeMutableBufferPointer<UInt8>, alpha: UnsafeBufferPointer<UInt8>?) {
        let table: [UInt8] = (0..<256).map { UInt8(max(0, min(255, (Double($0 - 16) * 255 / 219).rounded()))) }
        table.withUnsafeBufferPointer { full in
            if let alpha {
                // Rounded once, after flattening: a rounded luma flattened and rounded again was half a
                // level off libvips' flattened decode on average.
                for i in y.indices {
                    let a = Float(alpha[i])
                    let flat = Float(Int(y[i]) - 16) * a / 219 + (255 - a)
                    y[i] = UInt8(max(0, min(255, flat.rounded())))
                }
            } else {
                for i in y.indices { y[i] = full[Int(y[i])] }
            }
        }
    }

    /// `PixelReading`'s rule (mean channel spread of the block means under 3 levels) read off the chroma
    /// planes: R, G and B differ only through Cb and Cr, as in `JPEGReading.isGrayscale`. Chroma is
    /// weighted by alpha, as flattening on white scales it.
    static func isGrayscale(u: UnsafeBufferPointer<UInt8>, v: UnsafeBufferPointer<UInt8>, alpha: UnsafeBufferPointer<UInt8>?,
                            width: Int, height: Int) -> Bool {
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        // Chroma samples per block side: half the luma block `PixelReading` averages over.
        let side = max(1, 4 / JPEGReading.pixelsPerBlock(width: width, height: height))
        let blocksWide = (chromaWidth + side - 1) / side, blocksHigh = (chromaHeight + side - 1) / side
        // Limited-range chroma (±112) to full range (±127.5).
        let scale = 255.0 / 224
        var spread = 0.0
        for by in 0..<blocksHigh {
            for bx in 0..<blocksWide {
                var cb = 0, cr = 0, n = 0
                for cy in (by * side)..<min(chromaHeight, by * side + side) {
                    for cx in (bx * side)..<min(chromaWidth, bx * side + side) {
                        let i = cy * chromaWidth + cx
                        let a = alpha.map { Int($0[min(height - 1, 2 * cy) * width + min(width - 1, 2 * cx)]) } ?? 255
                        cb += (Int(u[i]) - 128) * a
                        cr += (Int(v[i]) - 128) * a
                        n += 1
                    }
                }
                let b = Double(cb) / Double(255 * n) * scale, r = Double(cr) / Double(255 * n) * scale
                let red = 1.402 * r, green = -0.344136 * b - 0.714136 * r, blue = 1.772 * b
                spread += max(red, green, blue) - min(red, green, blue)
            }
        }
        return spread / Double(blocksWide * blocksHigh) < 3
    }
}
