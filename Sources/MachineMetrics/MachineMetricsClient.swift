import Failures
import Foundation
import HTTP
import JSON
import Logging
import Redaction

/// The MachineMetrics ERP mapping service, exactly as `contracts/machinemetrics-api.md` describes it: every call to
/// it is in this type, so that matching the real service later is a change here alone.
public final class MachineMetricsClient: AccessTokenSource {
    public struct Settings: Sendable {
        public var serviceURL: String
        public var authServiceURL: String
        public var serviceToken: String
        public var retryAttempts: Int
        public var timeout: Duration

        public init(serviceURL: String, authServiceURL: String, serviceToken: String, retryAttempts: Int, timeout: Duration) {
            self.serviceURL = serviceURL
            self.authServiceURL = authServiceURL
            self.serviceToken = serviceToken
            self.retryAttempts = retryAttempts
            self.timeout = timeout
        }
    }

    /// What MachineMetrics answered for one batch.
    public struct UpsertReceipt: Sendable {
        public struct Rejection: Sendable {
            public let index: Int
            public let key: String?
            public let code: String
            public let message: String
        }

        public let accepted: Int
        public let rejected: [Rejection]
        /// The answer as received, for the receipt sidecar.
        public let body: JSONValue

        public init(accepted: Int, rejected: [Rejection], body: JSONValue) {
            self.accepted = accepted
            self.rejected = rejected
            self.body = body
        }
    }

    private let settings: Settings
    private let context: ServiceContext
    private let cache: TokenCache
    /// `MM_API_RETRY_ATTEMPTS` bounds every retry, waits that `Retry-After` asks for included.
    private let policy: RetryPolicy

    public init(settings: Settings, context: ServiceContext) {
        self.settings = settings
        self.context = context
        cache = TokenCache(redactor: context.redactor)
        policy = RetryPolicy(maximumRetries: settings.retryAttempts, mayRepeat: true, countsRetryAfter: true)
    }

    // MARK: §1 Access token

    /// An access token valid for a while yet, and not `rejected` (one the service just answered 401 to).
    public func token(replacing rejected: String? = nil) async throws -> String {
        try await cache.token(replacing: rejected, fetch: fetchAccessToken)
    }

    private func fetchAccessToken() async throws -> (token: String, lifetime: TimeInterval) {
        let request = HTTPRequest.json(
            method: "POST", url: settings.authServiceURL + "/v1/token",
            body: JSONEncoding.bytes(.object(["token": .string(settings.serviceToken)])))
        let response = try await context.client.send(request, timeout: settings.timeout, policy: policy, logger: context.logger)
        let document = try? JSONParser.parse(response.body)
        guard response.status == 200, let token = document?["accessToken"]?.stringValue, !token.isEmpty else {
            if response.status == 401 || response.status == 403 {
                throw failure(
                    .authentication,
                    "MachineMetrics refused the mapping service token (HTTP \(response.status)). Check MAPPING_SERVICE_TOKEN (Mapping Service Token) and MAPPING_AUTH_SERVICE_URL (Mapping Auth Service URL): ask MachineMetrics for this connector instance's token.",
                    response)
            }
            throw failure(
                response.status >= 500 || response.status == 429 || response.status == 408 ? .temporary : .unexpected,
                "The MachineMetrics authentication service answered HTTP \(response.status) at \(settings.authServiceURL)/v1/token.", response)
        }
        return (token, TimeInterval(document?["expiresIn"]?.intValue ?? 900))
    }

    // MARK: §2 Upserting ERP records

    /// Sends one batch with its id as the idempotency key.
    public func upsert(collection: String, batchID: String, records: [JSONValue]) async throws -> UpsertReceipt {
        let body = JSONEncoding.bytes(.object(["source": "d365fo", "batchId": .string(batchID), "records": .array(records)]))
        let response = try await authorizedSend(method: "PUT", path: "/v1/erp/\(collection)", headers: [("Idempotency-Key", batchID)], body: body)
        guard response.status == 200 else {
            throw refusal(response, what: "the \(collection) batch \(batchID)")
        }
        guard let document = try? JSONParser.parse(response.body), let accepted = document["accepted"]?.intValue else {
            throw failure(
                .temporary,
                "MachineMetrics answered 200 to the \(collection) batch \(batchID) without a readable receipt; the batch stays queued and is sent again (safely: same idempotency key).",
                response)
        }
        let items: [JSONValue] = document["rejected"]?.arrayValue ?? []
        let rejected = items.map { (item: JSONValue) -> UpsertReceipt.Rejection in
            let index: Int = item["index"]?.intValue ?? -1
            let code: String = item["code"]?.stringValue ?? "Rejected"
            let message: String = item["message"]?.stringValue ?? ""
            return UpsertReceipt.Rejection(index: index, key: item["key"]?.stringValue, code: code, message: message)
        }
        return UpsertReceipt(accepted: accepted, rejected: rejected, body: document)
    }

    // MARK: Shared

    func authorizedSend(method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) async throws -> HTTPResponse
    {
        try await BearerSender(tokens: self, client: context.client, service: "MachineMetrics").send(
            timeout: settings.timeout, policy: policy, logger: context.logger
        ) { token in
            var request = HTTPRequest.json(
                method: method, url: settings.serviceURL + path, headers: headers + [("Authorization", "Bearer \(token)")], body: body)
            if method == "GET" { request.headers.removeAll { $0.name == "Content-Type" } }
            return request
        }
    }

    /// The error for a non-200 answer, by the contract's table.
    func refusal(_ response: HTTPResponse, what: String) -> MachineMetricsError {
        switch response.status {
        case 401:
            return failure(
                .authentication,
                "MachineMetrics refused a fresh access token for \(what) (401). Check MAPPING_SERVICE_TOKEN (Mapping Service Token).", response)
        case 403:
            return failure(
                .authentication,
                "MachineMetrics refused \(what) (403): the mapping service token lacks the rights. Ask MachineMetrics to check this connector instance's token.",
                response)
        case 400, 404, 409, 413, 422:
            return failure(.refused, "MachineMetrics refused \(what) (HTTP \(response.status)).", response)
        case 408, 429, 500..<600:
            return failure(
                .temporary,
                "MachineMetrics kept answering HTTP \(response.status) for \(what) after \(settings.retryAttempts) retries (MM_API_RETRY_ATTEMPTS); it stays queued for the next run.",
                response)
        default:
            return failure(.unexpected, "MachineMetrics answered HTTP \(response.status) for \(what).", response)
        }
    }

    private func failure(_ category: FailureCategory, _ message: String, _ response: HTTPResponse) -> MachineMetricsError {
        let document = try? JSONParser.parse(response.body)
        return MachineMetricsError(
            category: category, message: context.redactor.redact(message), status: response.status,
            remoteCode: document?["code"]?.stringValue, remoteMessage: document?["message"]?.stringValue.map(context.redactor.redact))
    }
}
