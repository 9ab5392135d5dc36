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

    /// `<n>y`, `<n>m` (months of 30 days), `<n>w`, `<n>d`, `<n>h`, in seconds.
    public static func reconciliationWindow(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        let day: TimeInterval = 86_400
        switch unit {
        case "y": return TimeInterval(count) * 365 * day
        case "m": return TimeInterval(count) * 30 * day
        case "w": return TimeInterval(count) * 7 * day
        case "d": return TimeInterval(count) * day
        case "h": return TimeInterval(count) * 3600
        default: return nil
        }
    }

    /// A systemd time span (`10min`, `1h 30min`, `90s`, `2d`, or plain seconds), in seconds; must be positive.
    public static func timeSpan(_ text: String) -> TimeInterval? {
        let units: [(names: [String], seconds: TimeInterval)] = [
            (["usec", "us", "µs"], 0.000_001), (["msec", "ms"], 0.001), (["seconds", "second", "sec", "s"], 1),
            (["minutes", "minute", "min", "m"], 60), (["hours", "hour", "hr", "h"], 3600), (["days", "day", "d"], 86_400),
            (["weeks", "week", "w"], 604_800), (["months", "month", "M"], 2_629_800), (["years", "year", "y"], 31_557_600),
        ]
        var total: TimeInterval = 0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let word = rest.prefix { $0.isLetter || $0 == "µ" }
            rest = rest.dropFirst(word.count)
            if word.isEmpty {
                total += number
                continue
            }
            guard let unit = units.first(where: { $0.names.contains(String(word)) }) else { return nil }
            total += number * unit.seconds
        }
        return total > 0 ? total : nil
    }

    /// The path of a readable file holding at least one PEM certificate.
    public static func certificateFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") ? path : nil
    }
}
