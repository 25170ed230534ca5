import Foundation

/// Whether a JPEG is (nearly) grey, from its chroma DC terms: the mean channel spread (max − min of R, G,
/// B) over the chroma blocks under 3 levels, the rule the pixel paths apply. R, G and B differ only
/// through Cb and Cr, so each block's mean colour answers it without the luma.
final class ChromaGreyCheck {
    private let blocksWide: Int
    private let blocksHigh: Int
    /// The DC terms of Cb and Cr (blocksWide × blocksHigh each), kept until both are complete: the two
    /// components' rows need not arrive in step.
    private var dc: [[Int16]]
    private var dcStep: [Double] = [0, 0]

    /// `widthInBlocks`/`heightInBlocks`: per component, luma first; nil answer for a one-component file.
    init(widthInBlocks: [Int], heightInBlocks: [Int]) {
        let colour = widthInBlocks.count == 3
        blocksWide = colour ? min(widthInBlocks[1], widthInBlocks[2]) : 0
        blocksHigh = colour ? min(heightInBlocks[1], heightInBlocks[2]) : 0
        dc = [[Int16]](repeating: [Int16](repeating: 0, count: blocksWide * blocksHigh), count: 2)
    }

    /// Adds block row `by` of chroma `component` (1: Cb, 2: Cr) with its quantisation table.
    func add(component: Int, row by: Int, blocks row: UnsafePointer<Int16>, quant: UnsafePointer<UInt16>) {
        guard component == 1 || component == 2, by < blocksHigh else { return }
        let c = component - 1
        dcStep[c] = Double(quant[0]) / 8
        dc[c].withUnsafeMutableBufferPointer { out in
            for bx in 0..<blocksWide { out[by * blocksWide + bx] = row[64 * bx] }
        }
    }

    /// The answer once every row is in; a grey (one-component) file is grey.
    var isGrayscale: Bool {
        guard blocksWide > 0, blocksHigh > 0 else { return true }
        let qb = dcStep[0], qr = dcStep[1]
        var spread = 0.0
        for i in 0..<(blocksWide * blocksHigh) {
            let cb = Double(dc[0][i]) * qb, cr = Double(dc[1][i]) * qr
            let r = 1.402 * cr, g = -0.344136 * cb - 0.714136 * cr, b = 1.772 * cb
            spread += max(r, g, b) - min(r, g, b)
        }
        return spread / Double(blocksWide * blocksHigh) < 3
    }
}
