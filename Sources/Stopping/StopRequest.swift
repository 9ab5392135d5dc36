import Foundation
import ProcessExit
import Synchronization

/// A request that the run stop, made when systemd stops the unit, the system shuts down or someone presses Ctrl-C.
///
/// Stopping has two steps (`contracts/cli-and-config.md` § Stopping): first no new request starts and waits end early,
/// while what is in flight may still answer; a few seconds later the run's task is cancelled, which ends what is left.
/// Either way the spool is left as a crash would leave it, which every run already recovers from.
public final class StopRequest: Sendable {
    private let requested = Mutex<Int32?>(nil)

    public init() {}

    /// Asks the run to stop, because of `signal` (`SIGTERM`, `SIGINT`); the first signal is the one remembered.
    public func request(signal: Int32) {
        requested.withLock { if $0 == nil { $0 = signal } }
    }

    /// The signal a stop was requested by, if any.
    public var signal: Int32? { requested.withLock { $0 } }

    /// Throws ``RunStopped`` once a stop was requested, and `CancellationError` once the task is cancelled.
    public func check() throws {
        if let signal { throw RunStopped(signal: signal) }
        try Task.checkCancellation()
    }

    /// Waits `seconds`, unless a stop is requested meanwhile (``RunStopped``) or the task is cancelled.
    public func sleep(for seconds: TimeInterval) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        // A slice at a time: a stop ends the wait within a tenth of a second, which is all the precision it needs.
        while ContinuousClock.now < deadline {
            try check()
            try await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
        try check()
    }
}

/// The run was asked to stop; its work stays queued for the next run. The exit status is 128 and the signal's number:
/// 143 for `SIGTERM`, 130 for `SIGINT`.
public struct RunStopped: Error, CustomStringConvertible, Sendable {
    public let signal: Int32

    public init(signal: Int32) { self.signal = signal }

    public var exitStatus: ExitStatus { signal == SIGINT ? .interrupted : .terminated }

    public var description: String {
        let name = signal == SIGINT ? "SIGINT (Ctrl-C)" : signal == SIGTERM ? "SIGTERM (systemctl stop, or a shutdown)" : "signal \(signal)"
        return "stopped by \(name); what was not done stays queued for the next run"
    }
}
