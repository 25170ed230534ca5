import Foundation
import Testing
@testable import WinnowCore

@Suite(.serialized, .timeLimit(.minutes(1))) struct ExternalCaptionerTests {
    let anne = SubjectSettings(trigger: "ohwx", classToken: "woman")

    func request() throws -> CaptionRequest {
        CaptionRequest(imagePath: try TempLibrary.faceImages(1)[0].path, facts: nil, subject: anne)
    }

    func openAI(_ server: LoopbackHTTPServer, timeout: Double = 10) -> OpenAICaptioner {
        var settings = CaptionSettings.OpenAISettings(baseURL: server.baseURL, model: "llava-test")
        settings.timeout = timeout
        return OpenAICaptioner(settings: settings, words: 30...100)
    }

    @Test func chatCompletionsEndpointGetsTheImageAsADataURL() async throws {
        let server = try LoopbackHTTPServer { _ in .status(200, LoopbackHTTPServer.completion("a woman with short hair, in a garden")) }
        let text = try await openAI(server).caption(try request())
        #expect(text == "a woman with short hair, in a garden")
        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST" && sent.path == "/v1/chat/completions")
        let body = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
        #expect(body["model"] as? String == "llava-test")
        let content = try #require(((body["messages"] as? [[String: Any]])?.first?["content"]) as? [[String: Any]])
        #expect((content[0]["text"] as? String)?.contains("30 to 100 words") == true)
        let url = try #require((content[1]["image_url"] as? [String: Any])?["url"] as? String)
        #expect(url.hasPrefix("data:image/jpeg;base64,"))
        let jpeg = try #require(Data(base64Encoded: String(url.dropFirst("data:image/jpeg;base64,".count))))
        #expect(jpeg.prefix(2) == Data([0xFF, 0xD8]))
    }

    @Test func anHTTPErrorIsAFailureWithTheServersMessage() async throws {
        let server = try LoopbackHTTPServer { _ in .status(500, #"{"error":{"message":"model not loaded"}}"#) }
        await #expect { try await openAI(server).caption(try request()) } throws: { error in
            "\(error)".contains("HTTP 500") && "\(error)".contains("model not loaded")
        }
    }

    @Test func aHangingEndpointTimesOut() async throws {
        // The server would answer after 60 s; a 1 s timeout must give up long before it does, even on a loaded
        // machine where the test's own resumption waits for a thread (the image is encoded before the clock starts).
        let server = try LoopbackHTTPServer { _ in .hang(seconds: 60) }
        let captionRequest = try request()
        let started = Date()
        await #expect { try await openAI(server, timeout: 1).caption(captionRequest) } throws: { "\($0)".contains("timed out") }
        #expect(Date().timeIntervalSince(started) < 50)
    }

    @Test func anUnreachableEndpointIsAFailure() async throws {
        var settings = CaptionSettings.OpenAISettings(baseURL: URL(string: "http://127.0.0.1:9/v1")!, model: "m")
        settings.timeout = 3
        await #expect(throws: (any Error).self) { try await OpenAICaptioner(settings: settings, words: 1...10).caption(try request()) }
    }

    @Test func failuresKeepTheBuiltInCaptionAndAreRetriedLater() async throws {
        let library = try TempLibrary { config in
            config.captions.external = .openAI(.init(baseURL: URL(string: "http://127.0.0.1:1/v1")!, model: "m"))
        }
        try library.ingest(try TempLibrary.faceImages(2), subject: "anne")
        let answers = Answers()
        let server = try LoopbackHTTPServer { _ in answers.next() }
        var settings = CaptionSettings.OpenAISettings(baseURL: server.baseURL, model: "m")
        settings.timeout = 5
        // The keeper reads cached answers by the captioner's identity; point the queue's captioner at the server.
        let keeper = DatasetKeeper(config: library.configWith(.openAI(settings)), database: library.database)
        let queue = ExternalCaptionQueue(keeper: keeper, captioner: OpenAICaptioner(settings: settings, words: 30...100))
        let captions = DatasetReport.images(in: library.layout("anne").imageFolder).map(DatasetLayout.captionFile)

        let first = await queue.runOnce()
        #expect(first.failed == 2 && first.captioned == 0)
        for file in captions { #expect(try String(contentsOf: file, encoding: .utf8) == "ohwx woman,\n") }
        // Not due yet: nothing is asked.
        let waiting = await queue.runOnce()
        #expect(waiting.waiting == 2 && server.requests.count == 2)
        // Later the endpoint answers: the external words arrive, after the trigger and class.
        let later = await queue.runOnce(now: Date().addingTimeInterval(3600))
        #expect(later.captioned == 2)
        for file in captions {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text == "ohwx woman, a woman in a blue dress, standing by a window\n", "\(text)")
        }
    }

    @Test func aCommandGetsTheImagePathAndPrintsTheCaption() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-cmd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("caption me.sh")
        // Echoes its last argument's name: proves the path arrived as one argument, spaces and all, without a shell.
        try "#!/bin/sh\nprintf 'a photo named %s, $HOME stays literal\\n' \"$(basename \"$1\")\"\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        let image = folder.appendingPathComponent("my image; rm -rf x.jpg")
        try FileManager.default.copyItem(at: try TempLibrary.faceImages(1)[0], to: image)
        let captioner = CommandCaptioner(settings: .init(arguments: [script.path]))
        let text = try await captioner.caption(CaptionRequest(imagePath: image.path, facts: nil, subject: anne))
        #expect(text.hasPrefix("a photo named my image; rm -rf x.jpg, "))
    }

    @Test func redoAsksTheCommandAgainButKeepsTheUsersCaption() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-cmd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("captioner")
        let answer = folder.appendingPathComponent("answer.txt")
        try "#!/bin/sh\ncat \"$(dirname \"$0\")/answer.txt\"\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        try "a woman at a desk".write(to: answer, atomically: true, encoding: .utf8)
        let external = CaptionSettings.ExternalCaptioner.command(.init(arguments: [script.path]))
        let library = try TempLibrary { $0.captions.external = external }
        try library.ingest(try TempLibrary.faceImages(3), subject: "anne")
        let queue = ExternalCaptionQueue(keeper: library.keeper, captioner: ExternalCaptioners.make(external, config: library.config))
        #expect(await queue.runOnce().captioned == 3)
        let files = DatasetReport.images(in: library.layout("anne").imageFolder).map(DatasetLayout.captionFile)
        #expect(try String(contentsOf: files[1], encoding: .utf8) == "ohwx woman, a woman at a desk\n")
        try "ohwx woman, edited by hand\n".write(to: files[0], atomically: false, encoding: .utf8)

        try "a woman on a beach".write(to: answer, atomically: true, encoding: .utf8)
        try library.keeper.redoCaptions(subject: "anne")
        // Until the captioner answers again, winnow's own captions fall back to the built-in one.
        #expect(try String(contentsOf: files[1], encoding: .utf8) == "ohwx woman,\n")
        #expect(await queue.runOnce().captioned == 3)
        #expect(try String(contentsOf: files[0], encoding: .utf8) == "ohwx woman, edited by hand\n")
        #expect(try String(contentsOf: files[1], encoding: .utf8) == "ohwx woman, a woman on a beach\n")
        #expect(try String(contentsOf: files[2], encoding: .utf8) == "ohwx woman, a woman on a beach\n")
    }

    @Test func aFailingOrSlowCommandIsAFailure() async throws {
        let failing = CommandCaptioner(settings: .init(arguments: ["/bin/sh", "-c", "echo broken >&2; exit 3", "sh"]))
        await #expect { try await failing.caption(try request()) } throws: { "\($0)".contains("exited with 3") && "\($0)".contains("broken") }
        var slow = CaptionSettings.CommandSettings(arguments: ["/bin/sh", "-c", "sleep 10", "sh"])
        slow.timeout = 1
        await #expect { try await CommandCaptioner(settings: slow).caption(try request()) } throws: { "\($0)".contains("timed out") }
        // Leaves a child holding its output: ended at the timeout with its children, not waited for.
        var lingering = CaptionSettings.CommandSettings(arguments: ["/bin/sh", "-c", "sleep 30 & echo caption", "sh"])
        lingering.timeout = 1
        let started = Date()
        await #expect { try await CommandCaptioner(settings: lingering).caption(try request()) } throws: { "\($0)".contains("timed out") }
        #expect(Date().timeIntervalSince(started) < 20)
        let silent = CommandCaptioner(settings: .init(arguments: ["/bin/true"]))
        await #expect { try await silent.caption(try request()) } throws: { "\($0)".contains("no caption") }
    }

    @Test func externalCaptionerConfigIsParsed() throws {
        let loader = ConfigLoader(paths: XDGPaths(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/nonexistent"]))
        let config = try loader.parse("""
        [captions]
        max_words = 60
        max_token_length = 150
        [captions.external]
        kind = "openai"
        base_url = "http://127.0.0.1:8080/v1"
        model = "llava"
        timeout = 30
        """)
        guard case .openAI(let settings)? = config.captions.external else { Issue.record("no openai captioner"); return }
        #expect(settings.model == "llava" && settings.timeout == 30)
        #expect(config.captions.maxWords == 60 && config.captions.maxTokenLength == 150)
        let command = try loader.parse("[captions.external]\ncommand = [\"/usr/bin/cap\", \"-q\"]\n")
        #expect(command.captions.external == .command(.init(arguments: ["/usr/bin/cap", "-q"])))
        #expect(throws: ConfigError.self) { _ = try loader.parse("[captions]\nmax_token_length = 100\n") }
        #expect(throws: ConfigError.self) { _ = try loader.parse("[captions.external]\nkind = \"openai\"\nmodel = \"m\"\n") }
        #expect(throws: ConfigError.self) { _ = try loader.parse("[dataset]\nrepeat = 3\n") }
    }
}

/// Fails the first two requests, then answers.
final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> LoopbackHTTPServer.Reply {
        lock.lock(); defer { lock.unlock() }
        count += 1
        return count <= 2 ? .status(503, #"{"error":{"message":"loading"}}"#)
            : .status(200, LoopbackHTTPServer.completion("A woman in a blue dress, standing by a window."))
    }
}

extension TempLibrary {
    func configWith(_ external: CaptionSettings.ExternalCaptioner) -> WinnowConfig {
        var copy = config
        copy.captions.external = external
        return copy
    }
}
