/// A point in image pixels.
public struct Point2: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned box in image pixels.
public struct FaceBox: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var side: Double { max(width, height) }
    public var area: Double { width * height }
    public var center: Point2 { Point2(x: x + width / 2, y: y + height / 2) }

    /// Intersection over the smaller box: 1 when one box sits inside the other (detectors disagree on size).
    public func overlap(_ other: FaceBox) -> Double {
        let w = min(x + width, other.x + other.width) - max(x, other.x)
        let h = min(y + height, other.y + other.height) - max(y, other.y)
        guard w > 0, h > 0 else { return 0 }
        return (w * h) / min(area, other.area)
    }

    public func scaled(by factor: Double) -> FaceBox {
        FaceBox(x: x * factor, y: y * factor, width: width * factor, height: height * factor)
    }
}
