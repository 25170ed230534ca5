import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks an OpenAI-compatible chat-completions endpoint (llama.cpp server, Ollama, vLLM, LM Studio)
/// to describe the image, sent inline as a base64 `data:` URL.
public struct OpenAICaptioner: Captioner {
    public let settings: CaptionSettings.OpenAISettings
    /// Asked for in the prompt, and bounds the answer (`max_tokens`).
    public let words: ClosedRange<Int>
    public let maxPixels: Int64

    public init(settings: CaptionSettings.OpenAISettings, words: ClosedRange<Int>, maxPixels: Int64 = 250_000_000) {
        self.settings = settings
        self.words = words
        self.maxPixels = maxPixels
    }

    public var identity: String { "openai:\(settings.model)@\(settings.baseURL.absoluteString)" }

    public func caption(_ request: CaptionRequest) async throws -> String {
        let image = try CaptionImage.jpeg(path: request.imagePath, maxPixels: maxPixels)
        var http = URLRequest(url: settings.baseURL.appendingPathComponent("chat/completions"))
        http.httpMethod = "POST"
        http.timeoutInterval = settings.timeout
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let variable = settings.apiKeyEnvironment, let key = ProcessInfo.processInfo.environment[variable], !key.isEmpty {
            http.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        }
        http.httpBody = try JSONEncoder().encode(ChatRequest(
            model: settings.model,
            messages: [.init(role: "user", content: [
                .init(type: "text", text: "\(settings.prompt) Use \(words.lowerBound) to \(words.upperBound) words.", imageURL: nil),
                .init(type: "image_url", text: nil, imageURL: .init(url: "data:image/jpeg;base64," + image.base64EncodedString())),
            ])],
            // A word is ~1.3 tokens; leave room so the answer is not cut mid-phrase.
            maxTokens: words.upperBound * 2 + 32,
            temperature: 0.2
        ))
        let prepared = http
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await withTimeout(settings.timeout) { try await Self.session.data(for: prepared) }
        } catch let error as URLError {
            throw CaptionerError(error.code == .timedOut ? "timed out after \(Int(settings.timeout)) s"
                                 : "cannot reach \(settings.baseURL.absoluteString): \(error.localizedDescription) (\(error.code.rawValue))")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode else { throw CaptionerError("no HTTP response") }
        guard (200..<300).contains(status) else {
            throw CaptionerError("HTTP \(status): \(Self.errorMessage(data))")
        }
        let reply: ChatResponse
        do { reply = try JSONDecoder().decode(ChatResponse.self, from: data) } catch {
            throw CaptionerError("not a chat-completions answer: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        guard let text = reply.choices.first?.message.content?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw CaptionerError("the model returned no text")
        }
        return text
    }

    /// A session without caches or cookies; each request carries its own timeout.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }()

    static func errorMessage(_ data: Data) -> String {
        if let body = try? JSONDecoder().decode(ErrorBody.self, from: data), let message = body.error?.message { return message }
        return String(decoding: data.prefix(200), as: UTF8.self)
    }

    struct ChatRequest: Encodable {
        struct Message: Encodable { var role: String; var content: [Part] }
        struct Part: Encodable {
            var type: String
            var text: String?
            var imageURL: ImageURL?
            enum CodingKeys: String, CodingKey { case type, text, imageURL = "image_url" }
        }
        struct ImageURL: Encodable { var url: String }
        var model: String
        var messages: [Message]
        var maxTokens: Int
        var temperature: Double
        enum CodingKeys: String, CodingKey { case model, messages, maxTokens = "max_tokens", temperature }
    }

    struct ChatResponse: Decodable {
        struct Choice: Decodable { var message: Message }
        struct Message: Decodable { var content: String? }
        var choices: [Choice]
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable { var message: String? }
        var error: Detail?
    }
}

/// Runs `work`, failing with a timeout error after `seconds` (URLSession's own timeout counts idle time only).
func withTimeout<T: Sendable>(_ seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            throw CaptionerError("timed out after \(Int(seconds)) s")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
