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
        let (data, status) = try await Self.send(http, timeout: settings.timeout, baseURL: settings.baseURL)
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

    /// One request with a hard deadline (URLSession's own timeout counts idle time only). It uses the
    /// completion-handler API on purpose: cancelling an async URLSession call from Swift concurrency can
    /// deadlock in swift-corelibs-foundation (seen here: URLSessionTask.cancel against the task's status lock).
    static func send(_ request: URLRequest, timeout: Double, baseURL: URL) async throws -> (Data, Int) {
        let race = Race<(Data, Int)>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    let code = (error as? URLError)?.code
                    race.finish(.failure(CaptionerError(code == .timedOut ? "timed out after \(Int(timeout)) s"
                        : "cannot reach \(baseURL.absoluteString): \(error.localizedDescription)")))
                } else {
                    race.finish(.success((data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0)))
                }
            }
            let deadline = DispatchWorkItem {
                if race.finish(.failure(CaptionerError("timed out after \(Int(timeout)) s"))) { task.cancel() }
            }
            deadlines.asyncAfter(deadline: .now() + timeout, execute: deadline)
            race.onFinish { deadline.cancel() }
            task.resume()
        }
    }

    /// Its own serial queue, so a deadline fires on time even while the global queue's threads are all busy
    /// with blocking work (image analysis): a labelled serial queue gets a thread of its own.
    private static let deadlines = DispatchQueue(label: "winnow.captioner.deadlines")

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

/// The first result wins; later ones are dropped.
private final class Race<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var result: Result<T, any Error>?
    private var cleanup: (() -> Void)?

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let result { lock.unlock(); continuation.resume(with: result); return }
        self.continuation = continuation
        lock.unlock()
    }

    func onFinish(_ action: @escaping () -> Void) {
        lock.lock()
        if result != nil { lock.unlock(); action(); return }
        cleanup = action
        lock.unlock()
    }

    /// Returns whether this outcome won.
    @discardableResult
    func finish(_ outcome: Result<T, any Error>) -> Bool {
        lock.lock()
        guard result == nil else { lock.unlock(); return false }
        result = outcome
        let waiting = continuation, action = cleanup
        continuation = nil
        cleanup = nil
        lock.unlock()
        waiting?.resume(with: outcome)
        action?()
        return true
    }
}
