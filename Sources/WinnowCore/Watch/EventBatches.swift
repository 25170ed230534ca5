import Synchronization

/// Regroups a stream of watcher events into batches: everything that arrived while the previous batch was
/// being processed. A burst of saves then reaches the ingest service as one batch, whose files can be
/// analysed several at a time; a single save is a batch of one, handled at once.
public final class EventBatches<Event: Sendable>: AsyncSequence, Sendable {
    private final class Pending: Sendable {
        let events = Mutex<[Event]>([])
    }
    private let pending = Pending()
    private let wakeUps: AsyncStream<Void>
    private let forwarding: Task<Void, Never>

    public init(_ events: AsyncStream<Event>) {
        let (wakeUps, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wakeUps = wakeUps
        let pending = self.pending
        forwarding = Task {
            for await event in events {
                pending.events.withLock { $0.append(event) }
                wake.yield()
            }
            wake.finish()
        }
    }

    deinit { forwarding.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(batches: self, wakeUps: wakeUps.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        let batches: EventBatches
        var wakeUps: AsyncStream<Void>.AsyncIterator

        public mutating func next() async -> [Event]? {
            // A wake-up can find its events already taken by the batch before: wait for the next one.
            while await wakeUps.next() != nil {
                let batch = batches.pending.events.withLock { events in defer { events = [] }; return events }
                if !batch.isEmpty { return batch }
            }
            return nil
        }
    }
}
