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

/// Everything `d365mm` is configured with, validated.
public struct Configuration: Sendable {
    public enum JournalKind: String, Sendable {
        case job, operation

        /// The journal entity labor is written to: job cards or route cards.
        public var entitySet: EntitySet { self == .job ? .jobCardJournal : .routeCardJournal }
    }
    public enum PostingMode: String, Sendable { case action, batchJob = "batch_job", manual }
    public enum LogLevel: String, Sendable, CaseIterable { case error, warn, info, debug }

    /// `scheme://host[:port]` of the F&O environment, no trailing slash, lower case.
    public var environmentURL: String
    public var tenantID: String
    public var clientID: String
    public var clientCredential: ClientCredential
    /// The client secret, when that is the credential.
    public var clientSecret: Secret? {
        if case .secret(let secret) = clientCredential { return secret }
        return nil
    }
    public var mappingServiceToken: Secret
    /// Without a trailing slash.
    public var mappingServiceURL: String
    public var mappingAuthServiceURL: String
    public var siteID: String
    /// Lower case, as it is sent.
    public var dataAreaID: String
    public var importLaborToMachineMetrics: Bool
    public var writeLaborToD365: Bool
    public var journalKind: JournalKind
    public var postingMode: PostingMode
    public var reconciliationWindow: TimeInterval
    public var fromERPInterval: TimeInterval
    public var toERPInterval: TimeInterval
    public var logLevel: LogLevel
    public var machineMetricsRetryAttempts: Int
    public var machineMetricsTimeout: TimeInterval
    public var postingAction: String
    /// Without a trailing slash.
    public var authorityHost: String
    public var spoolDirectory: String
    /// The most one run waits on `Retry-After` before it stops with 75.
    public var retryBudget: TimeInterval
    /// OData requests in flight to D365 (at most 8).
    public var d365Concurrency: Int
    /// How old a file in `posted/` gets before it is archived.
    public var archiveAfter: TimeInterval
    /// How long archives are kept.
    public var archiveKeep: TimeInterval
    /// The most `archive/` may hold; the oldest archives go first.
    public var archiveMaxBytes: Int64
    /// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`.
    public var proxies: ProxySettings
    /// `D365MM_CA_FILE`: CA certificates trusted besides the system's.
    public var caFile: String?
    /// `D365MM_CREDENTIALS_DIR`: where the secrets kept as systemd credentials are.
    public var credentialsDirectory: String?

    /// Every secret's value, for redaction: the client secret, the mapping token, the proxies' passwords.
    public var secrets: [String] {
        var secrets = [mappingServiceToken.revealed] + [proxies.https, proxies.http].compactMap { $0?.password?.revealed }
        if case .secret(let secret) = clientCredential { secrets.append(secret.revealed) }
        return secrets.filter { !$0.isEmpty }
    }
}
