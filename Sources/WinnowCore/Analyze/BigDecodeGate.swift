import Foundation

/// Lets one decode that holds a big image's native pixels run at a time, process-wide. Each such decode
/// holds tens of megabytes (a 57-megapixel PNG streamed at native resolution, a 51-megapixel WebP's
/// planes, a progressive JPEG's coefficients), so two workers on two big files at once doubled a scan's
/// peak memory (two 9216×6144 PNGs and a 8755×5837 WebP on 2 workers: 284 MB, 295 MB with faces).
/// Small images, most of any folder, never wait.
enum BigDecodeGate {
    /// Decodes holding more than this count as big: a 16-megapixel RGB image.
    static let bigBytes = 48 << 20

    private static let lock = NSLock()

    /// Runs `body`, after any other big decode when it holds more than `bigBytes`.
    static func run<T>(holding bytes: Int, _ body: () throws -> T) rethrows -> T {
        guard bytes > bigBytes else { return try body() }
        return try lock.withLock(body)
    }
}
