/// The default captioner: needs no model, writes only what winnow measured, shaped by the template.
public struct BuiltInCaptioner: Captioner {
    public let settings: CaptionSettings
    public let resolution: Int

    public init(settings: CaptionSettings, resolution: Int) {
        self.settings = settings
        self.resolution = resolution
    }

    public var identity: String { "builtin" }

    public func caption(_ request: CaptionRequest) async throws -> String { compose(request) }

    /// The caption for `request`, synchronously (it only formats facts).
    public func compose(_ request: CaptionRequest) -> String {
        let tokens = MeasuredTokens(facts: request.facts, settings: settings, resolution: resolution)
        let template = request.subject.captionTemplate ?? settings.template
        return CaptionText.render(template: template, subject: request.subject, tokens: tokens)
    }
}
