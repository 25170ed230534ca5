import Foundation
import GRDB
import Logging

/// Builds the configured external captioner.
public enum ExternalCaptioners {
    public static func make(_ external: CaptionSettings.ExternalCaptioner, config: WinnowConfig) -> any Captioner {
        switch external {
        case .openAI(let settings):
            return OpenAICaptioner(settings: settings, words: config.captions.minWords...config.captions.maxWords,
                                   maxPixels: config.analysis.maxPixels)
        case .command(let settings):
            return CommandCaptioner(settings: settings)
        }
    }

    public static func identity(_ external: CaptionSettings.ExternalCaptioner) -> String {
        switch external {
        case .openAI(let settings): return OpenAICaptioner(settings: settings, words: 1...1).identity
        case .command(let settings): return CommandCaptioner(settings: settings).identity
        }
    }
}

/// Asks the external captioner about kept images that have no answer yet, off the ingest path.
/// A failure is recorded and retried later with a growing pause; the built-in caption stays meanwhile.
public final class ExternalCaptionQueue: @unchecked Sendable {
    public let keeper: DatasetKeeper
    public let captioner: any Captioner
    private let logger: Logger

    public init(keeper: DatasetKeeper, captioner: any Captioner, logger: Logger = Logger(label: "winnow.caption")) {
        self.keeper = keeper
        self.captioner = captioner
        self.logger = logger
    }

    public struct Pass: Sendable, Equatable {
        public var captioned = 0, failed = 0, waiting = 0
        /// Captions longer than the trainer's CLIP window, by image name.
        public var overTokenLimit: [String] = []
        public var errors: [String] = []
    }

    /// Seconds before retry number `attempts + 1`: 1 min, 2, 4, … up to 1 h.
    public static func retryDelay(afterAttempts attempts: Int) -> Double {
        min(60 * pow(2, Double(max(0, attempts - 1))), 3600)
    }

    /// One pass over `subjects` (default: every subject with kept images). `force` ignores retry pauses.
    /// `keepGoing` is asked before each image (the daemon stops between images when it shuts down).
    public func runOnce(subjects: [String]? = nil, force: Bool = false, now: Date = Date(),
                        keepGoing: () -> Bool = { !Task.isCancelled }) async -> Pass {
        var pass = Pass()
        let store = keeper.captions
        let settings = keeper.config.captions
        let names = subjects ?? keeper.subjects()
        for subject in names {
            var changed = false
            for row in (try? keeper.keptRows(subject: subject)) ?? [] {
                guard keepGoing() else { break }
                guard let sha = row.sha256, let path = row.libraryPath,
                      let state = try? store.externalState(imageSha256: sha, captioner: captioner.identity), !state.done else { continue }
                if !force, let next = state.nextAttemptAt, next > now.timeIntervalSince1970 { pass.waiting += 1; continue }
                let request = CaptionRequest(imagePath: path, facts: row.imageFacts, subject: keeper.config.settings(for: subject))
                do {
                    let text = try await captioner.caption(request)
                    try store.saveExternal(text, imageSha256: sha, captioner: captioner.identity)
                    pass.captioned += 1
                    changed = true
                    let words = CaptionText.wordCount(text)
                    if words < settings.minWords {
                        logger.notice("\(path): the captioner gave \(words) words (asked for at least \(settings.minWords))")
                    }
                    let final = try keeper.caption(for: row, subject: request.subject).text
                    if CaptionText.estimatedClipTokens(final) > settings.maxTokenLength {
                        pass.overTokenLimit.append((path as NSString).lastPathComponent)
                        logger.warning("\(path): caption is ~\(CaptionText.estimatedClipTokens(final)) CLIP tokens, over the \(settings.maxTokenLength) the trainer reads; set [captions] max_token_length if it raises max_token_length")
                    }
                } catch {
                    let attempts = state.attempts + 1
                    let delay = Self.retryDelay(afterAttempts: attempts)
                    try? store.recordFailure("\(error)", imageSha256: sha, captioner: captioner.identity, retryAfter: delay)
                    pass.failed += 1
                    pass.errors.append("\((path as NSString).lastPathComponent): \(error)")
                    logger.warning("captioner failed on \(path) (try \(attempts), next in \(Int(delay)) s): \(error)")
                }
            }
            if changed {
                do { try keeper.sync(subject: subject) } catch { logger.error("dataset for \(subject): \(error)") }
            }
        }
        return pass
    }
}
