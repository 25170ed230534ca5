import Foundation

/// Parses `[dataset]` and `[captions]` (kept apart from ConfigLoader so that file stays small).
enum DatasetSettingsReader {
    static func read(_ table: TableReader, into settings: inout DatasetSettings) throws {
        try table.allow(["repeats", "resolution", "min_images"])
        if let value = try table.int("repeats", range: 1...1000) { settings.repeats = value }
        if let value = try table.int("resolution", range: 256...4096) { settings.resolution = value }
        if let value = try table.int("min_images", range: 0...100_000) { settings.minImages = value }
    }

    static func read(_ table: TableReader, into settings: inout CaptionSettings) throws {
        try table.allow(["template", "min_words", "max_words", "max_token_length", "quality_tokens", "external"])
        if let template = try table.string("template") {
            guard !template.trimmingCharacters(in: .whitespaces).isEmpty, !template.contains("\n") else {
                throw ConfigError(key: table.prefix + "template", line: table.line(of: "template"), message: "must be one non-empty line")
            }
            settings.template = template
        }
        if let value = try table.int("min_words", range: 0...1000) { settings.minWords = value }
        if let value = try table.int("max_words", range: 1...1000) { settings.maxWords = value }
        if settings.minWords > settings.maxWords {
            throw ConfigError(key: table.prefix + "min_words", line: table.line(of: "min_words"),
                              message: "\(settings.minWords) is more than max_words (\(settings.maxWords))")
        }
        if let value = try table.int("max_token_length", range: 75...225) {
            guard [75, 150, 225].contains(value) else {
                throw ConfigError(key: table.prefix + "max_token_length", line: table.line(of: "max_token_length"),
                                  message: "sd-scripts accepts 75, 150 or 225")
            }
            settings.maxTokenLength = value
        }
        if let tokens = try table.table("quality_tokens") {
            try tokens.allow(["blurry", "upscaled", "low_detail", "grayscale"])
            if let value = try tokens.string("blurry") { settings.qualityTokens.blurry = value }
            if let value = try tokens.string("upscaled") { settings.qualityTokens.upscaled = value }
            if let value = try tokens.string("low_detail") { settings.qualityTokens.lowDetail = value }
            if let value = try tokens.string("grayscale") { settings.qualityTokens.grayscale = value }
        }
        if let external = try table.table("external") {
            settings.external = try externalCaptioner(external)
        }
    }

    private static func externalCaptioner(_ table: TableReader) throws -> CaptionSettings.ExternalCaptioner {
        try table.allow(["kind", "base_url", "model", "prompt", "timeout", "api_key_env", "command"])
        let kind = try table.string("kind") ?? ((try table.strings("command")) != nil ? "command" : "openai")
        let timeout = try table.double("timeout", range: 1...3600)
        switch kind {
        case "openai":
            guard let base = try table.string("base_url"), let url = URL(string: base), url.scheme == "http" || url.scheme == "https" else {
                throw ConfigError(key: table.prefix + "base_url", line: table.line(of: "base_url"),
                                  message: "is required: an http(s) URL such as \"http://127.0.0.1:8080/v1\"")
            }
            guard let model = try table.string("model"), !model.isEmpty else {
                throw ConfigError(key: table.prefix + "model", line: table.line(of: "model"), message: "is required")
            }
            var settings = CaptionSettings.OpenAISettings(baseURL: url, model: model)
            if let prompt = try table.string("prompt") { settings.prompt = prompt }
            if let timeout { settings.timeout = timeout }
            settings.apiKeyEnvironment = try table.string("api_key_env")
            return .openAI(settings)
        case "command":
            guard let arguments = try table.strings("command"), let program = arguments.first, !program.isEmpty else {
                throw ConfigError(key: table.prefix + "command", line: table.line(of: "command"),
                                  message: "is required: [\"program\", \"arg\", …] (the image path is added last)")
            }
            var settings = CaptionSettings.CommandSettings(arguments: arguments)
            if let timeout { settings.timeout = timeout }
            return .command(settings)
        default:
            throw ConfigError(key: table.prefix + "kind", line: table.line(of: "kind"), message: "must be \"openai\" or \"command\"")
        }
    }
}
