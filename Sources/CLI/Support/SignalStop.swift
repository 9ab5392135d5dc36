import Foundation
import Logging
import Stopping
import Sync
import UnixSignals

/// Turns SIGTERM and SIGINT during a run into the stop of `contracts/cli-and-config.md` § Stopping: no new request
/// starts at once (``StopRequest``), the run's task is cancelled once ``grace`` has passed, and should it still not
/// have ended ``deadline`` after the signal, the process exits as a crash would, which every run recovers from.
///
/// swift-service-lifecycle's `UnixSignals` delivers the signals as an async sequence. Its `ServiceGroup` is made for
/// long-running services and does not say which signal ended them, which decides between 143 and 130.
enum SignalStop {
    /// How long requests in flight may go on answering after the signal.
    static let grace: Duration = .seconds(7)
    /// When the process exits, whatever the run is doing, counted from the signal.
    static let deadline: Duration = .seconds(10)

    /// Runs `run` in a task of its own, stopping it as described above.
    static func run(stop: StopRequest, logger: Logger, _ run: @escaping () async -> RunReport) async -> RunReport {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let work = UncheckedRun(run)
        return await withTaskGroup(of: RunReport?.self) { group in
            // The run's resources (its state database above all) are used by this task alone, which is why handing the
            // closure to it is safe although the compiler cannot see it.
            group.addTask { await work.run() }
            group.addTask {
                for await signal in signals {
                    stop.request(signal: signal.rawValue)
                    logger.notice("\(signal) received: no new request starts, and the run stops within \(deadline.components.seconds) s")
                    armWatchdog(signal: signal.rawValue, logger: logger)
                    try? await Task.sleep(for: grace)
                    return nil
                }
                return nil
            }
            while let next = await group.next() {
                if let report = next {
                    group.cancelAll()
                    return report
                }
                // The grace is over: what is still in flight is cancelled.
                group.cancelAll()
            }
            preconditionFailure("the run's task always returns a report")
        }
    }

    /// Exits the process at the deadline: a run stuck in a system call or a long loop must not outlive systemd's patience.
    private static func armWatchdog(signal: Int32, logger: Logger) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(deadline.components.seconds))) {
            logger.error(
                "the run did not stop within \(deadline.components.seconds) s of the signal; exiting now, as a crash would (the next run recovers)")
            RunLog.close()
            _exit(RunStopped(signal: signal).exitStatus.rawValue)
        }
    }

    /// The run's closure, handed to the task that alone runs it.
    private struct UncheckedRun: @unchecked Sendable {
        let run: () async -> RunReport
        init(_ run: @escaping () async -> RunReport) { self.run = run }
    }
}
