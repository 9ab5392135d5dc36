import Foundation
import Hashing
import Redaction

/// Masks secrets in everything a support bundle collects: the configured secrets by value, the access tokens runs
/// were issued by the digest the state database keeps of each, and anything shaped like a credential (a JWT, a
/// `Bearer` value, a JSON member named like a token or secret).
public struct BundleRedactor: Sendable {
    private let values: Redactor
    private let tokenDigests: Set<String>

    public init(secrets: [String], tokenDigests: Set<String>) {
        values = Redactor(secrets: secrets)
        self.tokenDigests = tokenDigests
    }

    /// What the state database keeps of an issued token.
    public static func digest(ofToken token: String) -> String { SHA256Hex.digest("d365mm-token:" + token) }

    public func redact(_ text: String) -> String {
        var result = values.redact(text)
        for pattern in Self.patterns {
            result = pattern.regex.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: pattern.template)
        }
        guard !tokenDigests.isEmpty else { return result }
        // Any long word could be an opaque token: it is masked when its digest is one the runs recorded.
        var output = ""
        var word = ""
        func flush() {
            defer { word = "" }
            guard word.count >= 16 else {
                output += word
                return
            }
            if tokenDigests.contains(Self.digest(ofToken: word)) {
                output += Redactor.mask
                return
            }
            // `key=token`: the token is the part after an equals sign (base64 padding keeps its own).
            var pieces = word.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            for index in pieces.indices where pieces[index].count >= 16 && tokenDigests.contains(Self.digest(ofToken: pieces[index])) {
                pieces[index] = Redactor.mask
            }
            output += pieces.joined(separator: "=")
        }
        for character in result {
            if character.isLetter || character.isNumber || "-_.~+/=".contains(character) {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    private static let patterns: [(regex: NSRegularExpression, template: String)] = [
        (#"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"#, Redactor.mask),
        (#"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"#, "$1" + Redactor.mask),
        (#"(?i)("(?:access_?token|refresh_?token|token|client_?secret|secret|password)"\s*:\s*")[^"]+""#, "$1" + Redactor.mask + "\""),
        (#"(?i)\b((?:D365_CLIENT_SECRET|MAPPING_SERVICE_TOKEN)\s*=\s*).+"#, "$1" + Redactor.mask),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}
