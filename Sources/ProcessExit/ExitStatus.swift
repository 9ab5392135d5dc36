/// The exit statuses of `contracts/cli-and-config.md`, which systemd units and scripts rely on: the one place they
/// are written down.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Success, or nothing to do.
    case success = 0
    /// An unexpected internal error.
    case internalError = 1
    /// The run finished, but something needs an operator (a file in `failed/`, rejected records, …).
    case partial = 2
    /// Wrong usage, or a command that is not available yet.
    case usage = 64
    /// Another run holds the spool lock; nothing was done.
    case locked = 73
    /// A temporary failure (network, throttling, 5xx): retry on the next timer tick; nothing was lost.
    case temporaryFailure = 75
    /// Authentication or permission refused.
    case permissionDenied = 77
    /// A configuration error.
    case configuration = 78
    /// Stopped by Ctrl-C (`SIGINT`): 128 and the signal's number, as a shell reports it; the work stays queued.
    case interrupted = 130
    /// Stopped by `systemctl stop` or a shutdown (`SIGTERM`); the work stays queued.
    case terminated = 143
}
