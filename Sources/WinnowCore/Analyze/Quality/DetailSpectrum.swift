import Foundation

/// High-frequency energy of an image at native resolution, measured on its most detailed tiles.
///
/// The 64×64 tiles with the most gradient energy are Hann-windowed and Fourier-transformed; their power
/// is averaged in 32 rings of spatial frequency (ring r covers r/64…(r+1)/64 cycles per pixel, ring 31
/// ends at Nyquist) and in 8 orientations. A sharp photo keeps its whitened power (power × f², flat for
/// natural images) up to Nyquist; an upscale by k has a cliff at 1/(2k) cycles per pixel; a blur rolls
/// off smoothly; a motion blur removes one orientation only. Measured on the full-resolution pixels:
/// any shrink would hide exactly this.
///
/// Two more views serve the two blurs a radial profile misses. Per tile, the whitened power in the 8
/// orientations of the lowest band (rings 1–2, under 0.05 cycles/px) and of rings 8–15 (0.12–0.25): a
/// linear motion blur of L px (L ≥ 9 here) multiplies the spectrum by sinc(L·f·cos θ), so past 1/L cycles/px
/// only the orientations across the motion keep their detail, while the content's own orientation shows
/// in the lowest band too (which even a 25 px blur leaves alone) and cancels.
/// And per tile a "square ring" profile, by max(|fx|, |fy|): resampling is separable, so an upscale by k
/// keeps nothing beyond 1/(2k) along either axis — a sharp square cliff that the radial rings smear over
/// 1/(2k)…√2/(2k) (the diagonal).
public struct DetailSpectrum: Sendable, Equatable {
    public static let tileSide = 64
    public static let ringCount = 32
    public static let sectorCount = 8
    /// Tiles measured at most (the most detailed ones).
    public static let maxTiles = 32

    /// One tile's measurement.
    public struct Tile: Sendable, Equatable {
        /// Mean power per ring, JPEG block harmonics left out (see `isBlockHarmonic`).
        public var rings: [Double]
        /// Mean power per orientation in a low band (rings 4–7) and a high band (rings 16–27).
        public var sectorLow: [Double]
        public var sectorHigh: [Double]
        /// Mean whitened power (power × f², f in cycles/px) per orientation in rings 1–2 and rings 8–15.
        public var directionLow: [Double]
        public var directionMid: [Double]
        /// Mean power per square ring (max(|fx|, |fy|) = r), JPEG block harmonics left out.
        public var squareRings: [Double]
        /// `ResamplingPeriods.sums` of the tile: how its spectrum repeats every 1/2, 1/3 and 1/4 cycle.
        public var periodSums: [[Double]] = []
    }

    public var tiles: [Tile]

    public init(tiles: [Tile]) { self.tiles = tiles }

    /// Centre frequency of ring r, cycles per pixel.
    public static func ringFrequency(_ r: Int) -> Double { (Double(r) + 0.5) / 64 }

    /// The 8×8 JPEG grid puts power at multiples of 1/8 cycle per pixel along each axis (±1 bin of leakage);
    /// from 1/4 cycle up those coefficients would read as detail in a blocky, soft image. (Every ring keeps
    /// some coefficients.)
    static func isBlockHarmonic(_ index: Int) -> Bool {
        let a = abs(index)
        return a >= 15 && [7, 0, 1].contains(a % 8)
    }

    /// Where each power coefficient goes: per view, the (coefficient, bin) pairs in coefficient order, so
    /// that every bin sums its coefficients in the order a single pass over the tile would, without that
    /// pass's branches.
    private struct Layout: Sendable {
        struct Entry: Sendable {
            var index: Int32
            var bin: Int32
            /// f² in (cycles per pixel)², for the whitened views.
            var frequency2: Double = 0
        }
        /// Rings, JPEG block harmonics left out.
        var rings: [Entry] = []
        var squareRings: [Entry] = []
        /// Orientation sectors of rings 4–7 and 16–27.
        var sectorLow: [Entry] = []
        var sectorHigh: [Entry] = []
        /// Orientation sectors of rings 1–2 and 8–15, harmonics left out, whitened.
        var directionLow: [Entry] = []
        var directionMid: [Entry] = []
        var window: [Float] = []
    }

    private static let layout: Layout = {
        let n = tileSide
        var layout = Layout()
        for y in 0..<n {
            for x in 0..<n {
                let fy = y < n / 2 ? y : y - n, fx = x < n / 2 ? x : x - n
                let radius = sqrt(Double(fx * fx + fy * fy))
                let i = Int32(y * n + x)
                let ring = radius < Double(ringCount) ? Int(radius) : -1
                var angle = atan2(Double(fy), Double(fx)) * 180 / Double.pi
                if angle < 0 { angle += 180 }
                if angle >= 180 { angle -= 180 }
                let sector = Int32(Int((angle + 11.25) / 22.5) % sectorCount)
                let keep = !isBlockHarmonic(fx) && !isBlockHarmonic(fy)
                let frequency2 = Double(fx * fx + fy * fy) / Double(n * n)
                let square = max(abs(fx), abs(fy))
                if square < ringCount && keep { layout.squareRings.append(.init(index: i, bin: Int32(square))) }
                guard ring >= 0 else { continue }
                if keep {
                    layout.rings.append(.init(index: i, bin: Int32(ring)))
                    if ring >= 1 && ring < 3 { layout.directionLow.append(.init(index: i, bin: sector, frequency2: frequency2)) }
                    if ring >= 8 && ring < 16 { layout.directionMid.append(.init(index: i, bin: sector, frequency2: frequency2)) }
                }
                if ring >= 4 && ring < 8 { layout.sectorLow.append(.init(index: i, bin: sector)) }
                if ring >= 16 && ring < 28 { layout.sectorHigh.append(.init(index: i, bin: sector)) }
            }
        }
        let hann = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n - 1)) }
        layout.window = [Float](repeating: 0, count: n * n)
        for y in 0..<n { for x in 0..<n { layout.window[y * n + x] = Float(hann[y] * hann[x]) } }
        return layout
    }()

    /// Mean power per bin of `entries` (whitened by f² when `whitened`).
    private static func binMeans(_ power: UnsafeBufferPointer<Float>, _ entries: [Layout.Entry], bins: Int,
                                 whitened: Bool = false) -> [Double] {
        var sums = [Double](repeating: 0, count: bins), counts = [Int](repeating: 0, count: bins)
        entries.withUnsafeBufferPointer { list in
            for entry in list {
                let value = Double(power[Int(entry.index)])
                sums[Int(entry.bin)] += whitened ? value * entry.frequency2 : value
                counts[Int(entry.bin)] += 1
            }
        }
        return zip(sums, counts).map { $0 / Double(max(1, $1)) }
    }

    private static let fft = RadixTwoFFT(size: tileSide)

    /// Measures `plane` (native-resolution grey, 0–255).
    public static func measure(_ plane: GrayPlane) -> DetailSpectrum {
        let bytes = plane.pixels.map { UInt8(max(0, min(255, $0.rounded()))) }
        return bytes.withUnsafeBufferPointer { measure(bytes: $0, width: plane.width, height: plane.height) }
    }

    /// Measures 8-bit grey pixels (row-major) in place: a 40-megapixel image is not copied to floats.
    public static func measure(bytes p: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> DetailSpectrum {
        measure(tiles: mostDetailedTiles(bytes: p, width: width, height: height))
    }

    /// The `maxTiles` grid tiles of 8-bit grey pixels with the most gradient energy, as `measure(tiles:)`
    /// takes them.
    public static func mostDetailedTiles(bytes p: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> [DetailTile] {
        let n = tileSide
        guard width >= n, height >= n, p.count >= width * height else { return [] }
        // Score every tile of the grid by its gradient energy; measure the most detailed ones.
        var scored: [(score: Int, x: Int, y: Int)] = []
        var y = 0
        while y + n <= height {
            var x = 0
            while x + n <= width {
                scored.append((gradientEnergy(p.baseAddress!, width: width, x: x, y: y), x, y))
                x += n
            }
            y += n
        }
        // Ties (flat tiles) keep grid order: the result does not depend on the sort's stability.
        scored.sort { $0.score != $1.score ? $0.score > $1.score : ($0.y, $0.x) < ($1.y, $1.x) }
        return scored.prefix(maxTiles).map { tile in
            var block = [Float](repeating: 0, count: n * n)
            for yy in 0..<n {
                for xx in 0..<n { block[yy * n + xx] = Float(p[(tile.y + yy) * width + tile.x + xx]) }
            }
            return DetailTile(pixels: block, x: tile.x, y: tile.y)
        }
    }

    /// Σ |right − here| + |below − here| over the tile at (x, y) but its last row and column, 16 pixels
    /// at a time (the same integer a pixel-by-pixel sum gives): every tile of a PNG or WebP is scored.
    static func gradientEnergy(_ p: UnsafePointer<UInt8>, width: Int, x: Int, y: Int) -> Int {
        let n = tileSide, raw = UnsafeRawPointer(p)
        var total = SIMD16<UInt32>()
        for yy in y..<(y + n - 1) {
            var row = SIMD16<UInt16>()
            for chunk in stride(from: x, to: x + n, by: 16) {
                let at = yy * width + chunk
                let here = raw.loadUnaligned(fromByteOffset: at, as: SIMD16<UInt8>.self)
                let right = raw.loadUnaligned(fromByteOffset: at + 1, as: SIMD16<UInt8>.self)
                let below = raw.loadUnaligned(fromByteOffset: at + width, as: SIMD16<UInt8>.self)
                var sum = SIMD16<UInt16>(truncatingIfNeeded: pointwiseMax(right, here) &- pointwiseMin(right, here))
                    &+ SIMD16<UInt16>(truncatingIfNeeded: pointwiseMax(below, here) &- pointwiseMin(below, here))
                if chunk + 16 == x + n { sum &*= lastChunkLanes }
                row &+= sum
            }
            total &+= SIMD16<UInt32>(truncatingIfNeeded: row)
        }
        return Int(total.wrappedSum())
    }

    /// The last column of a tile has no right-hand pixel inside it: its lane is left out.
    private static let lastChunkLanes = SIMD16<UInt16>((0..<16).map { $0 < 15 ? 1 : 0 })

    /// Measures tiles already chosen: each `tileSide`² native-resolution luma pixels (row-major, 0–255),
    /// the most detailed tiles of one image. The pixel path picks them by gradient energy; a JPEG's
    /// coefficients pick them without decoding the rest (`JPEGReading`).
    public static func measure(tiles: [DetailTile]) -> DetailSpectrum {
        let n = tileSide
        let layout = Self.layout
        var measured: [Tile] = []
        var block = [Float](repeating: 0, count: n * n)
        for sample in tiles where sample.pixels.count == n * n {
            let pixels = sample.pixels
            var mean: Float = 0
            for i in 0..<(n * n) { mean += pixels[i] }
            mean /= Float(n * n)
            for i in 0..<(n * n) { block[i] = (pixels[i] - mean) * layout.window[i] }
            let rows = fft.rowTransforms(block)
            let (re, im) = fft.transform2D(rowTransforms: rows)
            let power = RadixTwoFFT.power(re, im)
            var tile = power.withUnsafeBufferPointer { p in
                Tile(rings: binMeans(p, layout.rings, bins: ringCount),
                     sectorLow: binMeans(p, layout.sectorLow, bins: sectorCount),
                     sectorHigh: binMeans(p, layout.sectorHigh, bins: sectorCount),
                     directionLow: binMeans(p, layout.directionLow, bins: sectorCount, whitened: true),
                     directionMid: binMeans(p, layout.directionMid, bins: sectorCount, whitened: true),
                     squareRings: binMeans(p, layout.squareRings, bins: ringCount))
            }
            tile.periodSums = ResamplingPeriods.sums(windowed: block, rows: rows, x: sample.x, y: sample.y)
            measured.append(tile)
        }
        return DetailSpectrum(tiles: measured)
    }

    /// Whitened log power per ring (log10 of power × f²), relative to rings 4–7 (0.06–0.12 cycles per
    /// pixel): flat up to Nyquist for a sharp photo, falling for a soft one.
    public static func whitened(_ rings: [Double]) -> [Double] {
        let w = rings.enumerated().map { log10(max($0.element, 1e-3) * pow(ringFrequency($0.offset), 2)) }
        let reference = w[4..<8].reduce(0, +) / 4
        return w.map { $0 - reference }
    }

    /// The whitened profile of all tiles' power together.
    public var profile: [Double] {
        guard !tiles.isEmpty else { return [] }
        var sum = [Double](repeating: 0, count: Self.ringCount)
        for tile in tiles { for r in 0..<Self.ringCount { sum[r] += tile.rings[r] } }
        return Self.whitened(sum.map { $0 / Double(tiles.count) })
    }
}
