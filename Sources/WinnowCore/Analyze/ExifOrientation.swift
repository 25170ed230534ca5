import Foundation

/// The EXIF orientation tag (1–8): how a viewer turns the stored pixels before showing them. libvips
/// auto-rotates by it; the JPEG and WebP readers must turn their small image the same way, so that a rotated
/// copy hashes like its upright twin.
public enum ExifOrientation {
    /// The tag from an APP1 payload ("Exif\0\0" then a TIFF header), or 1 (as stored) when absent or unreadable.
    public static func read(app1 bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard hasExifPrefix(bytes) else { return 1 }
        return read(tiff: UnsafeBufferPointer(rebasing: bytes[6...]))
    }

    /// The tag from a WebP's EXIF chunk: a TIFF header, after "Exif\0\0" when the writer added one.
    public static func read(webpChunk bytes: UnsafeBufferPointer<UInt8>) -> Int {
        hasExifPrefix(bytes) ? read(app1: bytes) : read(tiff: bytes)
    }

    static func hasExifPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 6 && bytes[0] == 0x45 && bytes[1] == 0x78 && bytes[2] == 0x69 && bytes[3] == 0x66
    }

    /// The tag from TIFF data (byte order mark, then IFD0's offset), or 1.
    static func read(tiff bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard bytes.count >= 8 else { return 1 }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return 1
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            let a = Int(bytes[at]), b = Int(bytes[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let low = u16(little ? at : at + 2), let high = u16(little ? at + 2 : at) else { return nil }
            return low | high << 16
        }
        // IFD0: the tag lives there (0x0112, type SHORT, value in the entry itself).
        guard let offset = u32(4), let count = u16(offset) else { return 1 }
        for entry in 0..<min(count, 512) {
            let at = offset + 2 + 12 * entry
            guard let tag = u16(at) else { return 1 }
            if tag == 0x0112 {
                guard let value = u16(at + 8), (1...8).contains(value) else { return 1 }
                return value
            }
        }
        return 1
    }

    /// Whether the orientation swaps width and height (the 90° turns, 5–8).
    public static func swapsAxes(_ orientation: Int) -> Bool { (5...8).contains(orientation) }
}

extension GrayPlane {
    /// The plane as a viewer shows it under EXIF `orientation` (1: unchanged).
    public func oriented(_ orientation: Int) -> GrayPlane {
        guard (2...8).contains(orientation) else { return self }
        let swap = ExifOrientation.swapsAxes(orientation)
        let w = swap ? height : width, h = swap ? width : height
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                // (sx, sy): the stored pixel shown at (x, y).
                let sx: Int, sy: Int
                switch orientation {
                case 2: (sx, sy) = (width - 1 - x, y)                  // mirrored
                case 3: (sx, sy) = (width - 1 - x, height - 1 - y)     // turned 180°
                case 4: (sx, sy) = (x, height - 1 - y)                 // flipped
                case 5: (sx, sy) = (y, x)                              // transposed
                case 6: (sx, sy) = (y, height - 1 - x)                 // turn 90° clockwise to view
                case 7: (sx, sy) = (width - 1 - y, height - 1 - x)     // transversed
                default: (sx, sy) = (width - 1 - y, x)                 // 8: turn 90° anticlockwise to view
                }
                out[y * w + x] = pixels[sy * width + sx]
            }
        }
        return GrayPlane(width: w, height: h, pixels: out)
    }
}
