import Foundation

/// What `winnow dataset` tells the user: what the trainer will see, and what is still wrong with it.
public struct DatasetReport: Codable, Sendable, Equatable {
    public var subject: String
    public var folder: String
    public var imageFolder: String
    public var images: Int
    public var captions: Int
    public var userEditedCaptions: Int
    public var regImages: Int
    public var repeats: Int
    public var batchSize: Int
    /// Images × repeats, doubled when there are regularization images (sd-scripts pairs each with a reg image).
    public var samplesPerEpoch: Int
    public var stepsPerEpoch: Int
    public var resolution: Int
    public var maxTokenLength: Int
    public var warnings: [String]

    /// The coverage checklist from the user's workflow (image-based left and right).
    static let angles: [(String, @Sendable (FaceFacts) -> Bool)] = [
        ("profile left", { $0.yawBin == .profileLeft }), ("profile right", { $0.yawBin == .profileRight }),
        ("3/4 left", { $0.yawBin == .threeQuarterLeft }), ("3/4 right", { $0.yawBin == .threeQuarterRight }),
        ("frontal", { $0.yawBin == .frontal }), ("looking up", { $0.pitchBin == .up }), ("looking down", { $0.pitchBin == .down }),
    ]

    public static func make(subject: String, keeper: DatasetKeeper, batchSize: Int) throws -> DatasetReport {
        let layout = keeper.layout(subject: subject)
        let settings = keeper.config
        let rows = try keeper.keptRows(subject: subject)
        let imageFiles = Self.images(in: layout.imageFolder)
        let regFiles = Self.images(in: layout.regFolder)
        var captions = 0, edited = 0, missing: [String] = [], long: [String] = []
        for image in imageFiles {
            let file = DatasetLayout.captionFile(for: image)
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { missing.append(image.lastPathComponent); continue }
            captions += 1
            if try !keeper.captions.isOwn(file) { edited += 1 }
            let firstLine = String(text.split(separator: "\n", maxSplits: 1).first ?? "")
            if CaptionText.estimatedClipTokens(firstLine) > settings.captions.maxTokenLength { long.append(image.lastPathComponent) }
        }
        var samples = imageFiles.count * layout.repeats
        if !regFiles.isEmpty { samples *= 2 }
        let batch = max(1, batchSize)

        var warnings: [String] = []
        if imageFiles.count < settings.dataset.minImages {
            warnings.append("only \(imageFiles.count) images (aim for at least \(settings.dataset.minImages))")
        }
        let faces = rows.compactMap { $0.imageFacts?.faces }.filter { $0.count == 1 }
        if !faces.isEmpty {
            let absent = angles.filter { angle in !faces.contains(where: angle.1) }.map(\.0)
            if !absent.isEmpty { warnings.append("missing angles: \(absent.joined(separator: ", "))") }
        }
        let resolution = settings.dataset.resolution
        let small = rows.filter { row in
            guard let facts = row.imageFacts else { return false }
            return facts.width * facts.height < resolution * resolution
        }.map { ($0.libraryPath as NSString?)?.lastPathComponent ?? "?" }
        if !small.isEmpty {
            warnings.append("\(small.count) below the training resolution \(resolution)×\(resolution) (the trainer upscales them): \(Self.list(small))")
        }
        if !missing.isEmpty { warnings.append("\(missing.count) images without a caption: \(Self.list(missing))") }
        if !long.isEmpty {
            warnings.append("\(long.count) captions over the \(settings.captions.maxTokenLength)-token CLIP window (the rest is cut off unless the trainer raises max_token_length; then set [captions] max_token_length): \(Self.list(long))")
        }
        return DatasetReport(
            subject: subject, folder: layout.root.path, imageFolder: layout.imageFolder.path,
            images: imageFiles.count, captions: captions, userEditedCaptions: edited, regImages: regFiles.count,
            repeats: layout.repeats, batchSize: batch, samplesPerEpoch: samples,
            stepsPerEpoch: (samples + batch - 1) / batch, resolution: resolution,
            maxTokenLength: settings.captions.maxTokenLength, warnings: warnings)
    }

    /// Image files (not captions, not hidden temporaries) in `folder`, sorted.
    public static func images(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.lowercased().hasSuffix(".txt") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    private static func list(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + ", …"
    }
}
