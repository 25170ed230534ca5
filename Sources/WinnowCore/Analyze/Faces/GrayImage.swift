/// The gray copy detection runs on.
enum GrayImage {
    /// Luminance of `image`, box-filtered down so the long side is at most `maxSide`.
    static func shrunk(_ image: DecodedImage, maxSide: Int) -> ([UInt8], Int, Int) {
        let gray = image.gray
        let longSide = max(image.width, image.height)
        guard longSide > maxSide else { return (gray, image.width, image.height) }
        let scale = Double(maxSide) / Double(longSide)
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        var out = [UInt8](repeating: 0, count: width * height)
        let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
        gray.withUnsafeBufferPointer { src in
            for y in 0..<height {
                let y0 = Int(Double(y) * sy), y1 = max(y0 + 1, min(image.height, Int(Double(y + 1) * sy)))
                for x in 0..<width {
                    let x0 = Int(Double(x) * sx), x1 = max(x0 + 1, min(image.width, Int(Double(x + 1) * sx)))
                    var sum = 0
                    for yy in y0..<y1 { for xx in x0..<x1 { sum += Int(src[yy * image.width + xx]) } }
                    out[y * width + x] = UInt8(sum / ((y1 - y0) * (x1 - x0)))
                }
            }
        }
        return (out, width, height)
    }
}
