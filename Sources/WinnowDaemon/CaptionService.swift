import Foundation
import Logging
import ServiceLifecycle
import WinnowCore

/// Runs the opt-in external captioner beside the ingest worker, so a slow or dead endpoint never
/// holds up sorting: every `interval` it captions what is due, retrying failures with a growing pause.
struct CaptionService: Service {
    let queue: ExternalCaptionQueue
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pass = await queue.runOnce(keepGoing: { !Task.isCancelled && !Task.isShuttingDownGracefully })
            if pass.captioned > 0 || pass.failed > 0 {
                logger.info("external captions: \(pass.captioned) written, \(pass.failed) failed (kept the built-in ones)")
            }
            // The pause ends at once on SIGTERM, so the daemon stops promptly.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
