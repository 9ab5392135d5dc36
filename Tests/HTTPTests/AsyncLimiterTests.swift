import HTTP
import Synchronization
import Testing

/// The limiter bounds what waits between the pull and the transform: by rows, whatever the size of each page.
struct AsyncLimiterTests {
    /// Records the order in which waiting tasks got in.
    final class Entries: Sendable {
        private let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// Long enough for a task that is free to go to have gone; a task that must wait is still waiting after it.
    private func settle() async throws { try await Task.sleep(for: .milliseconds(100)) }

    /// A task that takes `units` and then writes `name` down.
    private func enter(_ limiter: AsyncLimiter, _ units: Int, as name: String, into entries: Entries) -> Task<Void, Never> {
        Task {
            await limiter.acquire(units)
            entries.add(name)
        }
    }

    @Test func unitsAreTakenAndGivenBackByWeight() async throws {
        let limiter = AsyncLimiter(limit: 10)
        let entries = Entries()
        await limiter.acquire(6)
        await limiter.acquire(4)
        let waiter = enter(limiter, 3, as: "three", into: entries)
        try await settle()
        #expect(entries.all.isEmpty, "all ten units are taken")
        limiter.release(2)
        try await settle()
        #expect(entries.all.isEmpty, "two free units are not three")
        limiter.release(4)
        await waiter.value
        #expect(entries.all == ["three"])
    }

    @Test func moreThanTheLimitWaitsForEverythingAndHoldsItAll() async throws {
        let limiter = AsyncLimiter(limit: 10)
        let entries = Entries()
        await limiter.acquire(1)
        let large = enter(limiter, 25, as: "large", into: entries)
        try await settle()
        #expect(entries.all.isEmpty, "a page larger than the limit waits until nothing else is taken")
        limiter.release(1)
        await large.value
        let small = enter(limiter, 1, as: "small", into: entries)
        try await settle()
        #expect(entries.all == ["large"], "while it is held, nothing else gets in")
        limiter.release(25)
        await small.value
        #expect(entries.all == ["large", "small"])
    }

    @Test func waitersGetInFirstComeFirstEvenWhenALaterOneWouldFit() async throws {
        let limiter = AsyncLimiter(limit: 10)
        let entries = Entries()
        await limiter.acquire(8)
        let first = enter(limiter, 5, as: "first, five", into: entries)
        try await settle()
        let second = enter(limiter, 1, as: "second, one", into: entries)
        try await settle()
        #expect(entries.all.isEmpty, "one unit would fit, but the five asked first")
        limiter.release(8)
        await first.value
        await second.value
        #expect(Set(entries.all) == ["first, five", "second, one"], "both fit once the eight are back")
    }
}
