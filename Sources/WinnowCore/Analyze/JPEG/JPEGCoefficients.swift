import Foundation
import JPEGShim

/// A JPEG's quantised DCT coefficients after one entropy-decoding pass (libjpeg-turbo's
/// `jpeg_read_coefficients`): no inverse DCT, no colour conversion, no upsampling. The arrays stay in
/// libjpeg's memory (2 bytes per coefficient) until this object goes away; nothing is copied.
final class JPEGCoefficients {
    /// Stored size in pixels (before EXIF orientation).
    let width: Int
    let height: Int
    /// 1 (grey) or 3 (Y, Cb, Cr).
    let components: Int
    let progressive: Bool
    /// EXIF orientation (1–8) from the APP1 segment.
    let orientation: Int
    /// Per component: size in blocks, sampling factors, quantisation table (natural order).
    let widthInBlocks: [Int]
    let heightInBlocks: [Int]
    let horizontalSampling: [Int]
    let verticalSampling: [Int]
    private(set) var quantisation: [[UInt16]] = []
    private let handle: OpaquePointer

    /// Opens `path` and reads its header only. Nil when the coefficient path does not read this file
    /// (not a JPEG, CMYK, RGB, 12-bit, …): libvips then decodes it.
    init?(path: String) {
        var handle: OpaquePointer?
        var info = winnow_jpeg_info()
        var error: UnsafeMutablePointer<CChar>?
        guard winnow_jpeg_open(path, &handle, &info, &error) == 0, let handle else {
            if let error { winnow_jpeg_string_free(error) }
            return nil
        }
        self.handle = handle
        width = Int(info.width)
        height = Int(info.height)
        components = Int(info.components)
        progressive = info.progressive != 0
        func three(_ t: (Int32, Int32, Int32)) -> [Int] { Array([Int(t.0), Int(t.1), Int(t.2)].prefix(Int(info.components))) }
        widthInBlocks = three(info.width_in_blocks)
        heightInBlocks = three(info.height_in_blocks)
        horizontalSampling = three(info.h_samp)
        verticalSampling = three(info.v_samp)
        if let exif = info.exif {
            orientation = ExifOrientation.read(app1: UnsafeBufferPointer(start: exif, count: Int(info.exif_length)))
        } else {
            orientation = 1
        }
    }

    deinit { winnow_jpeg_close(handle) }

    /// Memory `read()` takes for the coefficient arrays (2 bytes × 64 per block, every component).
    var coefficientBytes: Int {
        zip(widthInBlocks, heightInBlocks).reduce(0) { $0 + $1.0 * $1.1 * 128 }
    }

    /// Entropy-decodes the whole file (every scan of a progressive one). A truncated or corrupt file throws.
    func read() throws {
        var info = winnow_jpeg_info()
        var error: UnsafeMutablePointer<CChar>?
        if winnow_jpeg_read(handle, &info, &error) != 0 {
            let message = error.map { String(cString: $0) } ?? "JPEG decode failed"
            if let error { winnow_jpeg_string_free(error) }
            throw DecodeError(message: message, notAnImage: false)
        }
        quantisation = withUnsafeBytes(of: info.quant) { raw in
            let table = raw.bindMemory(to: UInt16.self)
            return (0..<components).map { c in Array(table[(c * 64)..<(c * 64 + 64)]) }
        }
    }

    /// Block row `row` of `component`: `widthInBlocks[component]` blocks of 64 coefficients, natural order.
    func blockRow(_ component: Int, _ row: Int) -> UnsafePointer<Int16> {
        guard let pointer = winnow_jpeg_block_row(handle, Int32(component), Int32(row)) else {
            preconditionFailure("block row \(row) of component \(component) out of range or not read")
        }
        return pointer
    }
}
