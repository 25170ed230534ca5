import Foundation

/// The quality a JPEG was saved at, estimated from its luminance quantisation table (as libjpeg scales
/// its standard table: quality 50 = the table itself). Re-saving at a lower quality coarsens the table,
/// so between two copies of one picture the higher estimate is the less damaged one (keep-best).
/// Reads only the header segments, never the image data.
public enum JPEGQuality {
    /// libjpeg's standard luminance table (ITU T.81 Annex K), any order: only its sum is used.
    static let standardLuminance: [Int] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]

    /// Estimated quality 1–100, or nil when `path` is not a JPEG or has no luminance table before its scan.
    public static func estimate(path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // Header segments (EXIF included) fit in 256 KB in practice; the scan data never matters.
        guard let data = try? handle.read(upToCount: 256 * 1024) else { return nil }
        return estimate(header: [UInt8](data))
    }

    /// The same from the file's first bytes.
    public static func estimate(header bytes: [UInt8]) -> Int? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { return nil }  // scan or end before any luminance table
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { return nil }
            if marker == 0xDB {
                var j = i + 4
                while j < i + 2 + length {
                    let precision = bytes[j] >> 4, id = bytes[j] & 0x0F
                    let size = precision == 0 ? 64 : 128
                    guard j + 1 + size <= i + 2 + length else { return nil }
                    if id == 0 {
                        var sum = 0
                        for k in 0..<64 {
                            sum += precision == 0 ? Int(bytes[j + 1 + k])
                                                  : Int(bytes[j + 1 + 2 * k]) << 8 | Int(bytes[j + 2 + 2 * k])
                        }
                        return quality(tableSum: sum)
                    }
                    j += 1 + size
                }
            }
            i += 2 + length
        }
        return nil
    }

    /// Inverts libjpeg's scaling: table ≈ standard × S / 100, S = 5000/q (q < 50) or 200 − 2q.
    static func quality(tableSum: Int) -> Int {
        let scale = Double(tableSum) * 100 / Double(standardLuminance.reduce(0, +))
        let q = scale <= 100 ? (200 - scale) / 2 : 5000 / scale
        return min(100, max(1, Int(q.rounded())))
    }
}
