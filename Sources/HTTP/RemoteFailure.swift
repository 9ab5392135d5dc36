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

extension HTTPTransportError: CategorizedError {
    /// A proxy refusing the login and a certificate not trusted will not heal by themselves: 77, like a refused
    /// credential.
    public var category: FailureCategory {
        switch kind {
        case .invalidRequest: return .unexpected
        case .proxyLoginRefused, .untrustedCertificate: return .authentication
        case .connectionFailed, .timedOut, .connectionLost, .responseTooLarge, .proxyRefusedTunnel: return .temporary
        }
    }
}

extension HTTPTransportError {
    /// Whether sending again could get an answer: not for a request that cannot be sent, a proxy that refused the login
    /// or a certificate that is not trusted.
    var mayHeal: Bool { category == .temporary }
}

extension WaitBudgetExhausted: CategorizedError {
    public var category: FailureCategory { .temporary }
}
