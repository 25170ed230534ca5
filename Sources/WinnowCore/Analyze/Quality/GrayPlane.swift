import Foundation

/// A single-channel float image: the working form of every quality measurement.
public struct GrayPlane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(pixels.count == width * height)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, bytes: [UInt8]) {
        self.init(width: width, height: height, pixels: bytes.map { Float($0) })
    }

    public subscript(x: Int, y: Int) -> Float { pixels[y * width + x] }

    /// Area-averaged resample to `w`×`h` (each output pixel averages the input pixels it covers):
    /// anti-aliased, so hashes do not depend on the source resolution.
    public func resampled(width w: Int, height h: Int) -> GrayPlane {
        var out = [Float](repeating: 0, count: w * h)
        let sx = Double(width) / Double(w), sy = Double(height) / Double(h)
        // Column spans and weights are the same for every row: compute them once.
        let columns: [(Int, Int, [Float])] = (0..<w).map { x in
            let x0 = Double(x) * sx, x1 = Double(x + 1) * sx
            let a = Int(x0), b = min(width - 1, Int(ceil(x1)) - 1)
            let weights = (a...max(a, b)).map { i in Float(min(Double(i + 1), x1) - max(Double(i), x0)) }
            return (a, max(a, b), weights)
        }
        var rowAccumulator = [Float](repeating: 0, count: width)
        for y in 0..<h {
            let y0 = Double(y) * sy, y1 = Double(y + 1) * sy
            let a = Int(y0), b = max(a, min(height - 1, Int(ceil(y1)) - 1))
            var total: Float = 0
            pixels.withUnsafeBufferPointer { src in
                rowAccumulator.withUnsafeMutableBufferPointer { row in
                    for i in 0..<width { row[i] = 0 }
                    for j in a...b {
                        let wy = Float(min(Double(j + 1), y1) - max(Double(j), y0))
                        total += wy
                        let line = src.baseAddress! + j * width
                        for i in 0..<width { row[i] += wy * line[i] }
                    }
                }
            }
            for x in 0..<w {
                let (c0, _, weights) = columns[x]
                var sum: Float = 0, wsum: Float = 0
                for (k, wx) in weights.enumerated() { sum += wx * rowAccumulator[c0 + k]; wsum += wx }
                out[y * w + x] = sum / (wsum * total)
            }
        }
        return GrayPlane(width: w, height: h, pixels: out)
    }

    /// Left–right mirror.
    public var mirrored: GrayPlane {
        var out = pixels
        for y in 0..<height {
            for x in 0..<width { out[y * width + x] = pixels[y * width + (width - 1 - x)] }
        }
        return GrayPlane(width: width, height: height, pixels: out)
    }
}
