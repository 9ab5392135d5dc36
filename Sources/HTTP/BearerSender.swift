import Logging

/// Where a service's bearer tokens come from.
public protocol AccessTokenSource: Sendable {
    /// A token valid for a while yet, and not `rejected` (one the service just answered 401 to).
    func token(replacing rejected: String?) async throws -> String
}

/// Sends requests that carry a bearer token. A 401 gets a fresh token and one more try; this is the one place that
/// happens. A second 401 is the caller's to explain, as only it knows what the service needed.
public struct BearerSender: Sendable {
    let tokens: any AccessTokenSource
    let client: ResilientClient
    /// The service, as the log names it.
    let service: String

    public init(tokens: any AccessTokenSource, client: ResilientClient, service: String) {
        self.tokens = tokens
        self.client = client
        self.service = service
    }

    /// The answer to the request `request` makes with a token. `unanswered` turns a transport error of that request
    /// (not of fetching a token) into the caller's own, for a write whose fate it leaves unknown.
    public func send(
        timeout: Duration, policy: RetryPolicy, logger: Logger,
        disposition: (HTTPResponse) -> RetryDisposition = RetryPolicy.standardDisposition,
        unanswered: (HTTPTransportError) -> any Error = { $0 },
        _ request: (_ token: String) -> HTTPRequest
    ) async throws -> HTTPResponse {
        var rejected: String?
        while true {
            let token = try await tokens.token(replacing: rejected)
            let response: HTTPResponse
            do {
                response = try await client.send(request(token), timeout: timeout, policy: policy, logger: logger, disposition: disposition)
            } catch let error as HTTPTransportError {
                throw unanswered(error)
            }
            guard response.status == 401, rejected == nil else { return response }
            logger.info("\(service) answered 401; getting a fresh token and trying once more")
            rejected = token
        }
    }
}
