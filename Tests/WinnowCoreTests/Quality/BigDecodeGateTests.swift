import Foundation
import Testing
@testable import WinnowCore

struct BigDecodeGateTests {
    /// Workers that each hold a big image's pixels take turns; the scan's peak memory is then one big
    /// decode's, not one per worker.
    @Test func bigDecodesRunOneAtATimeOnManyThreads() {
        let state = NSLock()
        nonisolated(unsafe) var running = 0, most = 0
        _ = concurrentMap(12, workers: 4) { _ in
            BigDecodeGate.run(holding: BigDecodeGate.bigBytes + 1) {
                state.withLock { running += 1; most = max(most, running) }
                usleep(3_000)
                state.withLock { running -= 1 }
            }
        }
        #expect(most == 1)
    }
}
