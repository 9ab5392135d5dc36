/// What kind of failure a remote error is, which decides the exit status of the run.
public enum FailureCategory: Sendable, Equatable {
    /// Network, throttling, 5xx: retry on the next timer tick (75).
    case temporary
    /// Credentials or permissions refused (77).
    case authentication
    /// The far side refused this piece of work for good; the rest of the run goes on.
    case refused
    /// The far side answered something the connector cannot use (1).
    case unexpected
}

/// An error that knows its ``FailureCategory``.
public protocol CategorizedError: Error, CustomStringConvertible {
    var category: FailureCategory { get }
}
