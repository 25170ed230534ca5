import Foundation
import JPEGShim

/// A JPEG's quantised DCT coefficients from one entropy-decoding pass (libjpeg-turbo's
/// `jpeg_read_coefficients`): no inverse DCT, no colour conversion, no upsampling. They are handed over
/// a block row at a time, from libjpeg's memory; a single-scan file is never held whole.
final class JPEGCoefficients {
    /// Stored size in pixels (before EXIF orientation).
    let width: Int
    let height: Int
    /// 1 (grey) or 3 (Y, Cb, Cr).
    let components: Int
    /// More than one scan (progressive, or components in separate scans): decoded whole before its rows
    /// are handed over.
    let multipleScans: Bool
    /// EXIF orientation (1–8) from the APP1 segment.
    let orientation: Int
    /// Per component: size in 8×8 blocks.
    let widthInBlocks: [Int]
    let heightInBlocks: [Int]
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
        multipleScans = info.multiple_scans != 0
        func three(_ t: (Int32, Int32, Int32)) -> [Int] { Array([Int(t.0), Int(t.1), Int(t.2)].prefix(Int(info.components))) }
        widthInBlocks = three(info.width_in_blocks)
        heightInBlocks = three(info.height_in_blocks)
        if let exif = info.exif {
            orientation = ExifOrientation.read(app1: UnsafeBufferPointer(start: exif, count: Int(info.exif_length)))
        } else {
            orientation = 1
        }
    }

    deinit { winnow_jpeg_close(handle) }

    /// Memory a whole-image read takes for the coefficient arrays (2 bytes × 64 per block, every component).
    var coefficientBytes: Int {
        zip(widthInBlocks, heightInBlocks).reduce(0) { $0 + $1.0 * $1.1 * 128 }
    }

    /// One block row of one component: `widthInBlocks[component]` blocks of 64 quantised coefficients in
    /// natural order, and the component's quantisation table (natural order). Valid during the call only.
    typealias RowHandler = (_ component: Int, _ row: Int, _ blocks: UnsafePointer<Int16>, _ quant: UnsafePointer<UInt16>) -> Void

    /// Entropy-decodes the file (every scan of a progressive one) and hands `handler` every block row:
    /// per MCU row, each component's rows in turn, top to bottom. `wholeImage` decodes a single-scan
    /// file whole first too, as a multi-scan one must be. A truncated or corrupt file throws (after
    /// some rows may have been handed over).
    func read(wholeImage: Bool = false, _ handler: RowHandler) throws {
        var error: UnsafeMutablePointer<CChar>?
        let status = withoutActuallyEscaping(handler) { handler in
            let box = Unmanaged.passRetained(HandlerBox(handler))
            defer { box.release() }
            return winnow_jpeg_read(handle, wholeImage ? 1 : 0, { context, component, row, blocks, quant in
                Unmanaged<HandlerBox>.fromOpaque(context!).takeUnretainedValue()
                    .handler(Int(component), Int(row), blocks!, quant!)
            }, box.toOpaque(), &error)
        }
        if status != 0 {
            let message = error.map { String(cString: $0) } ?? "JPEG decode failed"
            if let error { winnow_jpeg_string_free(error) }
            throw DecodeError(message: message, notAnImage: false)
        }
    }

    private final class HandlerBox {
        let handler: RowHandler
        init(_ handler: @escaping RowHandler) { self.handler = handler }
    }
}
