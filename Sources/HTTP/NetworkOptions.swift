/// A proxy that requests go through with `CONNECT`.
public struct HTTPProxy: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String?
    public let password: String?
    /// The variable it was configured in (`HTTPS_PROXY`), for messages.
    public let variable: String

    public init(host: String, port: Int, username: String?, password: String?, variable: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.variable = variable
    }

    /// `the proxy host:port (HTTPS_PROXY)`; never the password.
    public var description: String { "the proxy \(host):\(port) (\(variable))" }
}

/// How the connector reaches the world from a plant: through which proxy, if any, and trusting which certificate
/// authorities besides the system's.
public struct NetworkOptions: Sendable {
    /// The proxy a request to `host` over `scheme` goes through, or `nil` to go straight.
    public var proxy: @Sendable (_ scheme: String, _ host: String) -> HTTPProxy?
    /// A PEM file of CA certificates trusted in addition to the system's (`D365MM_CA_FILE`).
    public var additionalCAFile: String?

    public init(proxy: @escaping @Sendable (_ scheme: String, _ host: String) -> HTTPProxy? = { _, _ in nil }, additionalCAFile: String? = nil) {
        self.proxy = proxy
        self.additionalCAFile = additionalCAFile
    }

    /// Straight out, trusting the system's CAs alone.
    public static let direct = NetworkOptions()
}
