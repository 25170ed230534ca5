import Foundation
@testable import WinnowCore

/// The labelled DEV face set (`../shared/data/faces` next to the repository), run once through the real
/// face stage (libvips decode, dlib, OpenCV) and shared by the tests that assert on it.
struct FaceDevSet: Sendable {
    struct Label: Sendable {
        var file: String
        var yawBin: String
        var pitchBin: String
        var facesCount: Int
        var yawDegrees: Double?
    }

    struct Result: Sendable {
        var label: Label
        var facts: FaceFacts
    }

    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/faces").standardizedFileURL

    static var available: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("labels.csv").path) }

    /// One DEV image (a file name in `images/`), decoded as the face stage gets it.
    static func image(_ file: String) throws -> DecodedImage {
        try DecodedImage.load(path: folder.appendingPathComponent("images").appendingPathComponent(file).path,
                              maxSide: 1024, maxPixels: 250_000_000)
    }

    /// Every image's facts, computed once per test process.
    static let results: [Result] = {
        let stage = FaceStage()
        return labels().map { label in
            let path = folder.appendingPathComponent(label.file).path
            let image = try! DecodedImage.load(path: path, maxSide: 1024, maxPixels: 250_000_000)
            var facts = ImageFacts(sha256: "", byteCount: 0, width: image.fullWidth, height: image.fullHeight, format: image.format)
            try! stage.analyze(image, path: path, facts: &facts)
            return Result(label: label, facts: facts.faces!)
        }
    }()

    static func labels() -> [Label] {
        let text = try! String(contentsOf: folder.appendingPathComponent("labels.csv"), encoding: .utf8)
        var rows = CSV.parse(text)
        let header = rows.removeFirst()
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        let (file, yaw, pitch, count, degrees) = (column("file"), column("yaw_bin"), column("pitch_bin"),
                                                  column("faces_count"), column("yaw_deg"))
        return rows.filter { $0.count == header.count }.map { row in
            Label(file: row[file], yawBin: row[yaw].replacingOccurrences(of: "_", with: "-"), pitchBin: row[pitch],
                  facesCount: Int(row[count]) ?? 0, yawDegrees: Double(row[degrees]))
        }
    }
}

/// Just enough CSV for labels.csv: commas, double-quoted fields, doubled quotes.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\n" || c == "\r\n" { row.append(field); rows.append(row); row = []; field = "" }
            else if c != "\r" { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
