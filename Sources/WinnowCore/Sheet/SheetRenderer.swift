import Foundation

/// Draws a `ContactSheet` into one PNG with libvips: dark background, a label column, thumbnails.
public struct SheetRenderer {
    public var cellSize = 150
    public var gap = 6
    public var labelWidth = 190
    public var margin = 20

    typealias RGB = SheetImage.RGB
    let background: RGB = (30, 30, 32)
    let panel: RGB = (44, 44, 48)
    let emptyPanel: RGB = (38, 38, 41)
    let ink: RGB = (235, 235, 235)
    let dim: RGB = (150, 150, 155)
    let good: RGB = (120, 200, 120)
    let warn: RGB = (235, 170, 80)
    let strip: RGB = (20, 20, 20)

    public init() {}

    /// Renders `sheet` to `file` (PNG); returns the picture's size.
    @discardableResult
    public func render(_ sheet: ContactSheet, to file: URL) throws -> (width: Int, height: Int) {
        let contentWidth = labelWidth + gap + ContactSheet.maxPerRow * (cellSize + gap)
        var blocks: [SheetImage] = [try header(sheet, width: contentWidth)]
        blocks.append(try section("Kept, by face angle", width: contentWidth))
        for row in sheet.rows where row.kind != .reject { blocks.append(try draw(row)) }
        let rejects = sheet.rows.filter { $0.kind == .reject }
        if !rejects.isEmpty {
            blocks.append(try section("Set aside, with the reason", width: contentWidth))
            for row in rejects { blocks.append(try draw(row)) }
        }
        let body = try SheetImage.join(blocks, horizontal: false, gap: gap, background: background)
        let page = try body.embedded(x: margin, y: margin, width: max(body.width, contentWidth) + 2 * margin,
                                     height: body.height + 2 * margin, background: background)
        try page.save(to: file)
        return (page.width, page.height)
    }

    private func header(_ sheet: ContactSheet, width: Int) throws -> SheetImage {
        let name = SheetImage.escape(SubjectName.display(sheet.subject))
        let bins = ContactSheet.angleBins.count
        var lines = "<span size=\"x-large\"><b>\(name)</b></span>\n"
        lines += "\(sheet.keptCount) kept, \(sheet.filledBins) of \(bins) angle bins filled, \(sheet.rejectCount) set aside"
        if let missing = sheet.missing {
            lines += missing.isEmpty ? "\n<span foreground=\"#78c878\">All angles covered.</span>"
                : "\n<span foreground=\"#ebaa50\">Still missing: \(SheetImage.escape(missing.joined(separator: ", ")))</span>"
        }
        return try SheetImage.text(lines, font: "sans 13", width: width, padding: 4, ink: ink, background: background)
    }

    private func section(_ title: String, width: Int) throws -> SheetImage {
        let text = try SheetImage.text("<b>\(SheetImage.escape(title.uppercased()))</b>", font: "sans 10", width: width,
                                       padding: 0, ink: dim, background: background)
        return try text.embedded(x: 0, y: 10, width: width, height: text.height + 14, background: background)
    }

    private func draw(_ row: ContactSheet.Row) throws -> SheetImage {
        let empty = row.cells.isEmpty
        let height = empty ? cellSize / 3 : cellSize
        let colour = row.kind == .reject || row.wanted ? warn : (empty ? dim : ink)
        let count = empty ? (row.wanted ? "missing" : "none yet") : "\(row.cells.count) image\(row.cells.count == 1 ? "" : "s")"
        let labelText = try SheetImage.text("<b>\(SheetImage.escape(row.label))</b>\n<span size=\"small\">\(count)</span>",
                                            font: "sans 11", width: labelWidth - 16, padding: 0, ink: colour, background: panel)
        let label = try labelText.embedded(x: 10, y: max(0, (height - labelText.height) / 2), width: labelWidth,
                                           height: max(height, labelText.height), background: panel)
        if empty {
            let width = ContactSheet.maxPerRow * (cellSize + gap) - gap
            let placeholder = try SheetImage.blank(width: width, height: label.height, colour: emptyPanel)
            return try SheetImage.join([label, placeholder], horizontal: true, gap: gap, background: background)
        }
        var cells: [SheetImage] = []
        let shown = row.cells.prefix(row.cells.count > ContactSheet.maxPerRow ? ContactSheet.maxPerRow - 1 : ContactSheet.maxPerRow)
        for cell in shown { cells.append(try thumbnail(cell)) }
        if shown.count < row.cells.count {
            let more = try SheetImage.text("+\(row.cells.count - shown.count) more", font: "sans 14", width: cellSize,
                                           padding: 0, ink: dim, background: panel)
            cells.append(try more.embedded(x: (cellSize - more.width) / 2, y: (cellSize - more.height) / 2,
                                           width: cellSize, height: cellSize, background: panel))
        }
        let strip = try SheetImage.join(cells, horizontal: true, gap: gap, background: background)
        return try SheetImage.join([label, strip], horizontal: true, gap: gap, background: background)
    }

    /// The image in its square; a reject carries its reason on a dark strip at the bottom.
    private func thumbnail(_ cell: ContactSheet.Cell) throws -> SheetImage {
        var image: SheetImage
        var caption = cell.caption
        do {
            image = try SheetImage.cell(path: cell.path, size: cellSize, background: panel)
        } catch {
            let mark = try SheetImage.text("<span size=\"xx-large\">?</span>", font: "sans 14", width: cellSize,
                                           padding: 0, ink: dim, background: panel)
            image = try mark.embedded(x: (cellSize - mark.width) / 2, y: cellSize / 4, width: cellSize, height: cellSize,
                                      background: panel)
            if caption == nil { caption = "cannot show: \(error)" }
        }
        guard let caption else { return image }
        let text = try SheetImage.text(SheetImage.escape(caption), font: "sans 8", width: cellSize - 8, padding: 3,
                                       ink: ink, background: strip)
        let clipped = text.height > cellSize / 2
            ? try text.embedded(x: 0, y: 0, width: text.width, height: cellSize / 2, background: strip) : text
        let band = try clipped.embedded(x: 0, y: 0, width: cellSize, height: clipped.height, background: strip)
        return try image.inserting(band, x: 0, y: cellSize - band.height)
    }
}
