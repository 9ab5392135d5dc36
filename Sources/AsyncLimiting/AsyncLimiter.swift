import Synchronization

/// Lets at most `limit` units of work run at once (one per operation, unless told otherwise); the others wait their
/// turn, in order.
public final class AsyncLimiter: Sendable {
    private struct State {
        var available: Int
        var waiting: [(units: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let limit: Int
    private let state: Mutex<State>

    public init(limit: Int) {
        self.limit = max(1, limit)
        state = Mutex(State(available: self.limit))
    }

    /// Runs `body` once a slot is free.
    public func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Takes `units` of the limit, waiting until they are free; more units than the limit take all of it. Pair it
    /// with one ``release(_:)`` of as many units, which another task may call: that makes the limiter a bounded
    /// queue's room.
    public func acquire(_ units: Int = 1) async {
        let units = clamped(units)
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.waiting.isEmpty && state.available >= units {
                    state.available -= units
                    return true
                }
                state.waiting.append((units, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Gives back `units` taken by ``acquire(_:)``, letting in those waiting, first come first, as far as they fit.
    public func release(_ units: Int = 1) {
        let admitted = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.available += clamped(units)
            var admitted: [CheckedContinuation<Void, Never>] = []
            while let first = state.waiting.first, state.available >= first.units {
                state.available -= first.units
                admitted.append(first.continuation)
                state.waiting.removeFirst()
            }
            return admitted
        }
        for continuation in admitted { continuation.resume() }
    }

    /// How many tasks wait their turn now.
    public var waiting: Int { state.withLock { $0.waiting.count } }

    private func clamped(_ units: Int) -> Int { min(max(1, units), limit) }
}
