import Foundation
import Synchronization
import Testing

@testable import CLI
@testable import Sync

/// What a long run shows of its progress, by where its standard error goes.
struct RunProgressTests {
    /// A clock the test moves, and every line shown.
    final class Screen: Sendable {
        let time = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let lines = Mutex<[String?]>([])

        func progress(onTerminal: Bool) -> Sync.Progress {
            RunProgress.make(onTerminal: onTerminal, now: { self.time.withLock { $0 } }, show: { text in self.lines.withLock { $0.append(text) } })
        }

        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    }

    @Test func withoutATerminalALineComesAtMostEvery30SecondsWithItsRate() {
        let screen = Screen()
        let progress = screen.progress(onTerminal: false)
        for done in 0...100 {
            progress.update("pulling from D365", done: done, of: 100, "queries")
            screen.advance(1)
        }
        progress.finish()
        let lines = screen.lines.withLock { $0 }
        #expect(
            lines == [
                "pulling from D365: 30 of 100 queries, 1.0 queries/s", "pulling from D365: 60 of 100 queries, 1.0 queries/s",
                "pulling from D365: 90 of 100 queries, 1.0 queries/s",
            ])
    }

    @Test func aRunShorterThan30SecondsPrintsNothingWithoutATerminal() {
        let screen = Screen()
        let progress = screen.progress(onTerminal: false)
        for done in 0..<20 {
            progress.update("writing journals to D365", done: done, of: 20, "files")
            screen.advance(1)
        }
        progress.finish()
        #expect(screen.lines.withLock { $0 }.isEmpty)
    }

    @Test func onATerminalEveryStepIsShownAndTheLineClearedAtTheEnd() {
        let screen = Screen()
        let progress = screen.progress(onTerminal: true)
        progress.update("posting to MachineMetrics", done: 0, of: 4, "batches")
        screen.advance(2)
        progress.update("posting to MachineMetrics", done: 4, of: 4, "batches")
        progress.finish()
        #expect(
            screen.lines.withLock { $0 } == [
                "posting to MachineMetrics: 0 of 4 batches", "posting to MachineMetrics: 4 of 4 batches, 2.0 batches/s", nil,
            ])
    }
}
