import Foundation

/// One measurement over the shared decode (hashes and sharpness, faces, …).
public protocol AnalysisStage: Sendable {
    /// Whether the stage reads the working RGB decode (`DecodedImage.rgb`). When no stage does, a JPEG
    /// is analysed from its coefficients alone.
    var readsWorkingPixels: Bool { get }
    func analyze(_ image: DecodedImage, path: String, facts: inout ImageFacts) throws
}

extension AnalysisStage {
    public var readsWorkingPixels: Bool { true }
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
        let image = try DecodedImage.forAnalysis(path: path, maxSide: settings.workingSide, maxPixels: settings.maxPixels,
                                                 workingPixels: stages.contains { $0.readsWorkingPixels })
        var facts = ImageFacts(sha256: sha256, byteCount: byteCount, width: image.fullWidth,
                               height: image.fullHeight, format: image.format)
        for stage in stages { try stage.analyze(image, path: path, facts: &facts) }
        return facts
    }
}
