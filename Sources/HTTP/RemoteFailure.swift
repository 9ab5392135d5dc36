import Failures

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
