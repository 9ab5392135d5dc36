import Foundation
import Synchronization

/// Replaces known secret values — the client secret, the mapping service token and every access token issued
/// during the run — and the passwords of URLs in text with a mask.
///
/// The last line of defence: every log line and every error message passes through one before it is written.
public final class Redactor: Sendable {
    public static let mask = "[REDACTED]"
    private let secrets: Mutex<[String]>

    public init(secrets: [String] = []) {
        self.secrets = Mutex([])
        for secret in secrets { add(secret) }
    }

    /// Masks `secret` from now on (values shorter than 6 characters are ignored: they would mask ordinary words).
    public func add(_ secret: String) {
        guard secret.count >= 6 else { return }
        secrets.withLock { list in
            guard !list.contains(secret) else { return }
            list.append(secret)
            // Longest first, so that a secret containing another is masked whole.
            list.sort { $0.count > $1.count }
        }
    }

    /// Every value masked so far (configured secrets and the tokens issued during this process).
    public var maskedValues: [String] { secrets.withLock { $0 } }

    public func redact(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        var result = URLCredentials.masked(text)
        for secret in list where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return result
    }
}
