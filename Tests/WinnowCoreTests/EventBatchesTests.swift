import Testing
@testable import WinnowCore

@Suite struct EventBatchesTests {
    @Test func eventsThatArriveWhileNobodyAsksComeAsOneBatch() async throws {
        let (events, source) = AsyncStream<Int>.makeStream()
        let batches = EventBatches(events)
        var iterator = batches.makeAsyncIterator()
        for event in 1...3 { source.yield(event) }
        var received: [Int] = []
        while received.count < 3 { received += try #require(await iterator.next()) }
        #expect(received == [1, 2, 3])

        source.yield(4)
        #expect(await iterator.next() == [4])
        source.finish()
        #expect(await iterator.next() == nil)
    }
}
