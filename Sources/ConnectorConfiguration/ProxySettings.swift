import Foundation

/// A proxy server as `HTTPS_PROXY` or `HTTP_PROXY` names it: `http://[user:password@]host:port`.
public struct ProxyServer: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String?
    public let password: Secret?

    /// `http://[user:password@]host:port`, user and password percent-encoded; `host:port` alone means `http://`, as curl
    /// reads it. `nil` for anything else (a proxy reached over TLS, a missing port).
    public init?(parsing text: String) {
        let url = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http",
            let host = components.host, !host.isEmpty, let port = components.port, (1...65535).contains(port),
            components.path.isEmpty || components.path == "/", components.query == nil
        else { return nil }
        self.host = host.lowercased()
        self.port = port
        username = components.user.map { $0.removingPercentEncoding ?? $0 }
        password = components.password.map { Secret($0.removingPercentEncoding ?? $0) }
    }

    /// `host:port`, and the user when there is one; never the password.
    public var description: String { (username.map { "\($0)@" } ?? "") + "\(host):\(port)" }
}

/// Which requests go through which proxy: `HTTPS_PROXY` for `https://` URLs, `HTTP_PROXY` for `http://` ones, except
/// for the hosts `NO_PROXY` names and loopback, which go straight.
public struct ProxySettings: Sendable, Equatable {
    public var https: ProxyServer?
    public var http: ProxyServer?
    public var bypass: [ProxyBypass]

    public init(https: ProxyServer? = nil, http: ProxyServer? = nil, bypass: [ProxyBypass] = []) {
        self.https = https
        self.http = http
        self.bypass = bypass
    }

    /// The proxy a request to `host` over `scheme` goes through, if any.
    public func proxy(scheme: String, host: String) -> ProxyServer? {
        guard let server = scheme.lowercased() == "https" ? https : http else { return nil }
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if ProxyBypass.isLoopback(host) || bypass.contains(where: { $0.matches(host) }) { return nil }
        return server
    }
}

/// One entry of `NO_PROXY`: a name (itself and its subdomains), an IP address or CIDR block, or `*`.
public enum ProxyBypass: Sendable, Equatable {
    case everything
    case domain(String)
    case network(address: [UInt8], prefixLength: Int)

    /// The entries of a `NO_PROXY` value, comma-separated; `nil` when one of them is neither name, address nor block.
    public static func list(parsing text: String) -> [ProxyBypass]? {
        var entries: [ProxyBypass] = []
        for raw in text.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            guard let parsed = ProxyBypass(parsing: entry) else { return nil }
            entries.append(parsed)
        }
        return entries
    }

    init?(parsing entry: String) {
        if entry == "*" {
            self = .everything
            return
        }
        let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
        if let address = Self.address(parts[0].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) {
            let bits = address.count * 8
            guard let prefix = parts.count == 2 ? Int(parts[1]) : bits, (0...bits).contains(prefix) else { return nil }
            self = .network(address: address, prefixLength: prefix)
            return
        }
        let name = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
        guard parts.count == 1, !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.".contains($0)) }) else {
            return nil
        }
        self = .domain(name)
    }

    /// Whether a request to `host` (lower case, an IPv6 address without brackets) goes straight. Names are not
    /// resolved: an address entry matches a host written as an address, as curl does.
    func matches(_ host: String) -> Bool {
        switch self {
        case .everything: return true
        case .domain(let name): return host == name || host.hasSuffix("." + name)
        case .network(let network, let prefixLength):
            guard let address = Self.address(host), address.count == network.count else { return false }
            return Self.samePrefix(address, network, bits: prefixLength)
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        guard host != "localhost" && !host.hasSuffix(".localhost") else { return true }
        guard let address = Self.address(host) else { return false }
        return address.count == 4 ? address[0] == 127 : address == Array(repeating: 0, count: 15) + [1]
    }

    /// The bytes of an IPv4 or IPv6 address written as text.
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func samePrefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        for index in 0..<(bits / 8) where a[index] != b[index] { return false }
        let rest = bits % 8
        guard rest > 0 else { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return a[bits / 8] & mask == b[bits / 8] & mask
    }
}
