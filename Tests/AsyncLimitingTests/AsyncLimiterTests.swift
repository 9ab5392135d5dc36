import AsyncLimiting
import Synchronization
import Testing

/// The limiter bounds what waits between the pull and the transform: by rows, whatever the size of each page.
///
/// A release admits waiters before it returns, so what a test reads right after one is already decided: no test
/// waits for time to pass.
struct AsyncLimiterTests {
    /// Records the order in which waiting tasks got in.
    final class Entries: Sendable {
        private let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// A task that takes `units` and then writes `name` down, returned once it waits its turn (or got in at once).
    private func enter(_ limiter: AsyncLimiter, _ units: Int, as name: String, into entries: Entries) async -> Task<Void, Never> {
        let before = limiter.waiting
        let task = Task {
            await limiter.acquire(units)
            entries.add(name)
        }
        while limiter.waiting == before && entries.all.contains(name) == false { await Task.yield() }
        return task
    }

    @Test func unitsAreTakenAndGivenBackByWeight() async throws {
        let limiter = AsyncLimiter(limit: 10)
        let entries = Entries()
        await limiter.acquire(6)
        await limiter.acquire(4)
        let waiter = await enter(limiter, 3, as: "three", into: entries)
        #expect(limiter.waiting == 1 && entries.all.isEmpty, "all ten units are taken")
        limiter.release(2)
        #expect(limiter.waiting == 1, "two free units are not three")
        limiter.release(4)
        #expect(limiter.waiting == 0, "six are")
        await waiter.value
        #expect(entries.all == ["three"])
    }

    @Test func moreThanTheLimitWaitsForEverythingAndHoldsItAll() async throws {
        let limiter = AsyncLimiter(limit: 10)
        let entries = Entries()
        await limiter.acquire(1)
        let large = await enter(limiter, 25, as: "large", into: entries)
        #expect(limiter.waiting == 1, "a page larger than the limit waits until nothing else is taken")
        limiter.release(1)
        await large.value
        let small = await enter(limiter, 1, as: "small", into: entries)
        #expect(limiter.waiting == 1 && entries.all == ["large"], "while it is held, nothing else gets in")
        limiter.release(25)
        await small.value
        #expect(entries.all == ["large", "small"])
    }

    @Test func waitersGetInFirstComeFirstEvenWhenALaterOneWouldFit() async throws {
        let limiter = AsyncLimiter(limit: 10)
        let entries = Entries()
        await limiter.acquire(8)
        let first = await enter(limiter, 5, as: "first, five", into: entries)
        let second = await enter(limiter, 1, as: "second, one", into: entries)
        #expect(limiter.waiting == 2 && entries.all.isEmpty, "one unit would fit, but the five asked first")
        limiter.release(8)
        #expect(limiter.waiting == 0, "both fit once the eight are back")
        await first.value
        await second.value
        #expect(Set(entries.all) == ["first, five", "second, one"])
    }
}
