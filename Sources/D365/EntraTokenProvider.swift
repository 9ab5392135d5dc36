import Credentials
import Foundation
import HTTP
import JSON
import Logging
import Redaction

/// Client-credentials tokens from Entra ID (v2.0 endpoint), cached until shortly before they expire.
public final class EntraTokenProvider: AccessTokenSource {
    /// How the app registration proves who it is.
    public enum Credential: Sendable {
        case secret(String)
        /// A certificate whose key signs a fresh client assertion for each token.
        case certificate(ClientCertificate)
    }

    public struct Settings: Sendable {
        /// `https://login.microsoftonline.com`, no trailing slash.
        public var authorityHost: String
        public var tenantID: String
        public var clientID: String
        public var credential: Credential
        /// The F&O environment URL; the scope is this plus `/.default`.
        public var environmentURL: String
        public var timeout: Duration

        public init(
            authorityHost: String, tenantID: String, clientID: String, credential: Credential, environmentURL: String,
            timeout: Duration = .seconds(30)
        ) {
            self.authorityHost = authorityHost
            self.tenantID = tenantID
            self.clientID = clientID
            self.credential = credential
            self.environmentURL = environmentURL
            self.timeout = timeout
        }

        /// The v2.0 token endpoint, which is also a client assertion's audience.
        var tokenEndpoint: String { "\(authorityHost)/\(tenantID)/oauth2/v2.0/token" }
    }

    private let settings: Settings
    private let context: ServiceContext
    private let cache: TokenCache

    public init(settings: Settings, context: ServiceContext) {
        self.settings = settings
        self.context = context
        cache = TokenCache(redactor: context.redactor)
    }

    /// A token that is valid for a while yet, and is not `rejected` (a token D365 just answered 401 to).
    public func token(replacing rejected: String? = nil) async throws -> String {
        try await cache.token(replacing: rejected, fetch: fetch)
    }

    private func fetch() async throws -> (token: String, lifetime: TimeInterval) {
        let url = settings.tokenEndpoint
        var form = [("grant_type", "client_credentials"), ("client_id", settings.clientID), ("scope", settings.environmentURL + "/.default")]
        switch settings.credential {
        case .secret(let secret):
            form.append(("client_secret", secret))
        case .certificate(let certificate):
            form.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
            form.append(("client_assertion", try certificate.assertion(clientID: settings.clientID, audience: url)))
        }
        let body = form.map { "\($0.0)=\(Self.formEscape($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(body.utf8))
        let response = try await context.client.send(
            request, timeout: settings.timeout, policy: RetryPolicy(maximumRetries: 3, mayRepeat: true), logger: context.logger)
        let document = try? JSONParser.parse(response.body)
        guard response.status == 200, let token = document?["access_token"]?.stringValue, !token.isEmpty else {
            throw entraError(response, document)
        }
        let lifetime = TimeInterval(document?["expires_in"]?.intValue ?? 3599)
        context.logger.debug("got an Entra ID token for \(settings.environmentURL), valid \(Int(lifetime)) s")
        return (token, lifetime)
    }

    private func entraError(_ response: HTTPResponse, _ document: JSONValue?) -> D365Error {
        let code = document?["error_codes"]?.arrayValue?.first?.intValue
        let error = document?["error"]?.stringValue ?? ""
        let status = response.status
        if status >= 500 || status == 429 || status == 408 {
            return D365Error(
                category: .temporary,
                message: "Entra ID (\(settings.authorityHost)) is unavailable (HTTP \(status)); the run stops and the next one tries again.",
                status: status, detail: nil)
        }
        let advice: String
        switch code {
        case 7000215:
            advice =
                "The client secret is wrong (AADSTS7000215). Verify Tenant ID, Client ID, and Client Secret: D365_CLIENT_SECRET (D365 Client Secret) must hold the secret's value, not its ID."
        case 7000222:
            advice =
                "The client secret has expired (AADSTS7000222). Regenerate the client secret in Azure (App registration > Certificates & secrets > New client secret) and update D365_CLIENT_SECRET (D365 Client Secret)."
        case 90002:
            advice =
                "Entra ID does not know the tenant (AADSTS90002). Verify D365_TENANT_ID (D365 Tenant Id): Azure Portal > Microsoft Entra ID > Properties > Tenant ID."
        case 700016:
            advice =
                "The application was not found in the tenant (AADSTS700016). Verify D365_CLIENT_ID (D365 Client Id): App registration > Overview > Application (client) ID, registered in tenant D365_TENANT_ID."
        case 7000218:
            advice = "No client secret was sent (AADSTS7000218). Set D365_CLIENT_SECRET (D365 Client Secret)."
        case 700027:
            advice =
                "Entra ID did not accept the certificate's signature (AADSTS700027): \(certificateNamed) is not among the app registration's "
                + "certificates. Upload it (App registration > Certificates & secrets > Certificates > Upload certificate), or point "
                + "D365_CLIENT_CERTIFICATE_FILE at the one that is there."
        case 700024:
            advice =
                "Entra ID found the client assertion outside its valid time (AADSTS700024): this device's clock is off. Check it with "
                + "timedatectl and let NTP set it."
        case 700023:
            advice =
                "The client assertion's audience is not the tenant's token endpoint (AADSTS700023): check D365_TENANT_ID and "
                + "AZURE_AUTHORITY_HOST."
        case 700021:
            advice =
                "The client assertion names another application than D365_CLIENT_ID (AADSTS700021): D365_CLIENT_ID must be the app "
                + "registration's Application (client) ID."
        case 70011, 500011:
            advice =
                "Entra ID does not accept the scope \(settings.environmentURL)/.default (AADSTS\(code!)). Check D365_ENVIRONMENT_HOST (D365 Environment Host) is the F&O environment's host and that the Dynamics ERP API permissions are granted with admin consent."
        default:
            advice =
                "Authentication failure (\(code.map { "AADSTS\($0)" } ?? "HTTP \(status)")\(error.isEmpty ? "" : ", \(error)")). Verify Tenant ID, Client ID, and Client Secret; regenerate the client secret in Azure if it expired."
        }
        return D365Error(category: .authentication, message: context.redactor.redact(advice), status: status, detail: nil)
    }

    /// The certificate the connector signs with, as an operator finds it in the Azure portal.
    private var certificateNamed: String {
        guard case .certificate(let certificate) = settings.credential else { return "the certificate" }
        return "the certificate of D365_CLIENT_CERTIFICATE_FILE (\(certificate.subject), thumbprint \(certificate.thumbprint))"
    }

    static func formEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
