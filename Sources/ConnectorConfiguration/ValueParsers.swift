import Foundation

/// The checks of `contracts/cli-and-config.md`, one per kind of value.
public enum ValueParsers {
    /// `contoso.operations.dynamics.com`, `https://contoso.operations.dynamics.com/`, `http://127.0.0.1:8080/…`:
    /// trimmed to `scheme://host[:port]`, lower case. `http://` only for loopback.
    public static func environmentURL(_ text: String) -> String? {
        let candidate = text.contains("://") ? text : "https://" + text
        return serviceURL(candidate, keepPath: false)
    }

    /// An absolute URL without a trailing slash; `http://` only for loopback addresses.
    public static func serviceURL(_ text: String) -> String? { serviceURL(text, keepPath: true) }

    private static func serviceURL(_ text: String, keepPath: Bool) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty,
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) })
        else { return nil }
        guard scheme == "https" || (scheme == "http" && isLoopback(host)) else { return nil }
        guard components.user == nil, components.password == nil else { return nil }
        var result = "\(scheme)://\(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)"
        if let port = components.port { result += ":\(port)" }
        if keepPath {
            var path = components.percentEncodedPath
            while path.hasSuffix("/") { path.removeLast() }
            result += path
        }
        return result
    }

    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    public static func isGUID(_ text: String) -> Bool {
        text.range(of: #"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#, options: .regularExpression) != nil
    }

    public static func isDomainName(_ text: String) -> Bool {
        text.range(of: #"^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$"#, options: .regularExpression) != nil
    }

    /// `true`/`false` in any case, `1`/`0`, `yes`/`no`.
    public static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: return nil
        }
    }

    /// A whole number within `range`.
    public static func wholeNumber(_ text: String, in range: ClosedRange<Int>) -> Int? {
        Int(text).flatMap { range.contains($0) ? $0 : nil }
    }

    /// The path of a readable file holding at least one PEM certificate.
    public static func certificateFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") ? path : nil
    }
}
