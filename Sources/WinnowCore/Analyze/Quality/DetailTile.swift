/// One `DetailSpectrum.tileSide`² tile of native-resolution luma and where it lies in the image as stored
/// (before any EXIF turn): the spectrum's periodicity test (`ResamplingPeriods`) measures phase against
/// the pixel grid, so it needs to know where each tile starts.
public struct DetailTile: Sendable, Equatable {
    /// Row-major luma, 0–255.
    public var pixels: [Float]
    /// Top-left pixel, in stored-image coordinates.
    public var x: Int
    public var y: Int

    public init(pixels: [Float], x: Int, y: Int) {
        self.pixels = pixels
        self.x = x
        self.y = y
    }
}
