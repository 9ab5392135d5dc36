/// A request that got no HTTP answer at all: no connection, a timeout, or a connection cut mid-answer.
///
/// The description names the host and path, never the query string or headers, which may carry tokens.
public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    /// Why no answer came.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made (refused, unreachable, DNS).
        case connectionFailed
        /// No complete answer within the time allowed.
        case timedOut
        /// The connection closed before the answer was complete.
        case connectionLost
        /// The answer was larger than the client accepts.
        case responseTooLarge
        /// The request could not be sent as it is (its URL or a header), wherever it went.
        case invalidRequest
        /// The proxy answered 407 to the login it was given, or wanted one and got none.
        case proxyLoginRefused
        /// The proxy would not open a tunnel to the host (it could not reach it, or does not allow it).
        case proxyRefusedTunnel
        /// The server's certificate is not one the system's CAs and `D365MM_CA_FILE` vouch for, or does not name it.
        case untrustedCertificate
    }

    public let kind: Kind
    public let method: String
    /// Scheme, host, port and path; the query is left out.
    public let location: String
    public let detail: String

    public var description: String {
        let what: String
        switch kind {
        case .connectionFailed: what = "cannot connect"
        case .timedOut: what = "timed out"
        case .connectionLost: what = "connection lost before the answer was complete"
        case .responseTooLarge: what = "answer too large"
        case .invalidRequest: what = "cannot be sent"
        case .proxyLoginRefused: what = "the proxy refused the login (407)"
        case .proxyRefusedTunnel: what = "the proxy would not open a tunnel to the host"
        case .untrustedCertificate: what = "the server's certificate is not trusted"
        }
        return "\(method) \(location): \(what) (\(detail))"
    }

    /// The location of `url` without its query string, for messages.
    public static func location(of url: String) -> String {
        String(url.prefix { $0 != "?" })
    }
}
