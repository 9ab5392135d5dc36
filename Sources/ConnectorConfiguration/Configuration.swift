import Credentials
import Foundation
import Vocabulary

/// A secret value: it prints as a mask, so that a configuration or an error printed by mistake shows nothing.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The value itself; use only where it is sent to the service that needs it.
    public let revealed: String

    public init(_ value: String) { revealed = value }

    public var description: String { "********" }
    public var debugDescription: String { "********" }
}

/// How the connector proves to Entra ID that it is the app registration: a client secret, or a certificate whose key
/// signs client assertions.
public enum ClientCredential: Sendable {
    case secret(Secret)
    case certificate(ClientCertificate)
}

/// Everything `d365mm` is configured with, validated: each variable's value by its ``Setting``
/// (`configuration[.journalKind]`), and what more than one variable decides.
public struct Configuration: Sendable {
    public enum JournalKind: String, Sendable {
        case job, operation

        /// The journal entity labor is written to: job cards or route cards.
        public var entitySet: EntitySet { self == .job ? .jobCardJournal : .routeCardJournal }
    }
    public enum PostingMode: String, Sendable { case action, batchJob = "batch_job", manual }
    public enum LogLevel: String, Sendable, CaseIterable { case error, warn, info, debug }

    /// By variable name, of the setting's type; a variable that is optional and unset has none.
    private let values: [String: any Sendable]
    public let clientCredential: ClientCredential

    init(values: [String: any Sendable], clientCredential: ClientCredential) {
        self.values = values
        self.clientCredential = clientCredential
    }

    public subscript<Value>(_ setting: Setting<Value>) -> Value {
        // The loader refuses a configuration without a value for each variable that is required or has a default, so
        // only an optional one (whose `Value` is an `Optional`) can be missing here, and it casts to `nil`.
        values[setting.name] as! Value
    }

    /// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`.
    public var proxies: ProxySettings { ProxySettings(https: self[.httpsProxy], http: self[.httpProxy], bypass: self[.noProxy] ?? []) }

    /// The most `archive/` may hold, in bytes.
    public var archiveMaxBytes: Int64 { Int64(self[.archiveMaxMB]) * 1_048_576 }

    /// Every secret's value, for redaction: the client secret, the mapping token, the proxies' passwords.
    public var secrets: [String] {
        let secrets =
            [self[.clientSecret], self[.mappingServiceToken]].compactMap { $0?.revealed }
            + [proxies.https, proxies.http].compactMap { $0?.password?.revealed }
        return secrets.filter { !$0.isEmpty }
    }
}
