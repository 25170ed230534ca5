import Foundation

/// How the trainer-ready folder is laid out (`[dataset]`).
public struct DatasetSettings: Sendable, Equatable {
    /// How often each image is seen per epoch: the `<repeats>_` of `img/<repeats>_<trigger> <class>/`.
    public var repeats: Int = 10
    /// Training resolution (SD 1.5: 512, SDXL: 1024): images with fewer pixels than resolution² get a warning.
    public var resolution: Int = 512
    /// Below this many kept images `winnow dataset` warns.
    public var minImages: Int = 15

    public init() {}
}

/// Where captions come from and how long they may be (`[captions]`).
public struct CaptionSettings: Sendable, Equatable {
    /// The built-in caption's shape. Placeholders: `{trigger}` `{class}` `{view}` `{framing}` `{expression}`
    /// `{color}` `{quality}`; empty ones drop out with their comma. `<trigger> <class>,` always comes first.
    public var template: String = CaptionSettings.defaultTemplate
    /// Target length of an external caption, in words (the seed's BLIP setting was 30–100).
    public var minWords: Int = 30
    public var maxWords: Int = 100
    /// The trainer's `max_token_length` (75, 150 or 225): captions longer than this many CLIP tokens get a warning.
    public var maxTokenLength: Int = 75
    /// Tokens added to kept images that carry a flaw, by flaw.
    public var qualityTokens: QualityTokens = QualityTokens()
    /// Opt-in captioner that writes the descriptive part; nil = built-in only.
    public var external: ExternalCaptioner?

    public static let defaultTemplate = "{trigger} {class}, {view}, {framing}, {expression}, {color}, {quality}"

    public init() {}

    public struct QualityTokens: Sendable, Equatable {
        public var blurry: String = "blurry"
        public var upscaled: String = "upscaled"
        /// Kept although its real detail is below the training resolution.
        public var lowDetail: String = "low quality"
        public var grayscale: String = "black and white"
        public init() {}
    }

    /// An external captioner; its failures leave the built-in caption in place.
    public enum ExternalCaptioner: Sendable, Equatable {
        /// An OpenAI-compatible `/v1/chat/completions` endpoint (llama.cpp server, Ollama, vLLM, LM Studio).
        case openAI(OpenAISettings)
        /// A program run with the image path as its one argument (no shell); its stdout is the caption.
        case command(CommandSettings)
    }

    public struct OpenAISettings: Sendable, Equatable {
        /// Base URL up to and including `/v1`, e.g. `http://127.0.0.1:8080/v1`.
        public var baseURL: URL
        public var model: String
        public var prompt: String = OpenAISettings.defaultPrompt
        public var timeout: Double = 60
        /// Sent as `Authorization: Bearer …` when set (read from this environment variable, never from the file).
        public var apiKeyEnvironment: String?

        public static let defaultPrompt = "Describe this photo for an image-generation training caption: the person's pose, clothing, hair, setting, lighting and photo style, as comma-separated phrases. Do not name the person."

        public init(baseURL: URL, model: String) {
            self.baseURL = baseURL
            self.model = model
        }
    }

    public struct CommandSettings: Sendable, Equatable {
        /// The program and its leading arguments; the image path is appended.
        public var arguments: [String]
        public var timeout: Double = 120

        public init(arguments: [String]) { self.arguments = arguments }
    }
}
