import Foundation

/// `body(0) … body(count − 1)` on up to `workers` threads, results in index order.
func concurrentMap<T>(_ count: Int, workers: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard workers > 1, count > 1 else { return (0..<count).map(body) }
    let slots = Slots<T>(count: count)
    let next = Ticket()
    DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
        while true {
            let i = next.take()
            guard i < count else { return }
            slots.set(i, body(i))
        }
    }
    return slots.values.map { $0! }
}

/// Results written from several threads, each slot once.
private final class Slots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [T?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); values[i] = value; lock.unlock() }
}

/// Hands out 0, 1, 2, … to whichever thread asks next.
private final class Ticket: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}
