import Foundation

/// One measurement over the shared decode (hashes and sharpness, faces, …).
public protocol AnalysisStage: Sendable {
    func analyze(_ image: DecodedImage, path: String, facts: inout ImageFacts) throws
}

/// Decodes an image once and runs every stage over that one decode.
public struct ImageAnalyzer: Sendable {
    public let settings: AnalysisSettings
    public let stages: [any AnalysisStage]

    public init(settings: AnalysisSettings, stages: [any AnalysisStage] = []) {
        self.settings = settings
        self.stages = stages
    }

    /// Facts for `path`; `sha256` is passed in because the journal computed it already.
    public func analyze(path: String, sha256: String, byteCount: Int64) throws -> ImageFacts {
        let image = try DecodedImage.load(path: path, maxSide: settings.workingSide, maxPixels: settings.maxPixels)
        var facts = ImageFacts(sha256: sha256, byteCount: byteCount, width: image.fullWidth,
                               height: image.fullHeight, format: image.format)
        for stage in stages { try stage.analyze(image, path: path, facts: &facts) }
        return facts
    }
}
