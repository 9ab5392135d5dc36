import Foundation

/// Passwords in URLs (`https://user:password@host`, a proxy's login): masked wherever a URL may be shown.
public enum URLCredentials {
    /// `text` with the password of every `scheme://user:password@` in it replaced by ``Redactor/mask``.
    public static func masked(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var result = ""
        var rest = Substring(text)
        while let separator = rest.range(of: "://") {
            result += rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            // The authority ends at the first '/', '?', '#' or blank; its userinfo, if any, before its last '@'.
            let authority = rest.prefix { !"/?# \t\n\"'<>".contains($0) }
            guard let at = authority.lastIndex(of: "@") else { continue }
            let userinfo = authority[..<at]
            if let colon = userinfo.firstIndex(of: ":") {
                result += userinfo[...colon] + Redactor.mask
            } else {
                result += userinfo
            }
            rest = rest[at...]
        }
        return result + rest
    }
}
