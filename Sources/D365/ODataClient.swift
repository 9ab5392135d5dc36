import AsyncLimiting
import Foundation
import HTTP
import JSON
import Logging
import Vocabulary

/// One page of an entity set.
public struct ODataPage: Sendable {
    public let rows: [JSONValue]
    /// The absolute URL of the next page, when there is one.
    public let nextLink: String?
    /// The URL this page came from.
    public let url: String
}

/// Reads F&O's OData service: bearer tokens (refreshed once on a 401), paging by `@odata.nextLink`, a bounded
/// number of requests in flight, and errors that name the entity and the privilege.
public final class ODataClient: Sendable {
    public let environmentURL: String
    let tokens: EntraTokenProvider
    let client: ResilientClient
    let limiter: AsyncLimiter
    let timeout: Duration
    let logger: Logger
    /// How often a page that is not JSON, or cut short, is fetched again.
    private let malformedRetries = 3

    /// Requests with a token, refreshed once on a 401.
    var bearer: BearerSender { BearerSender(tokens: tokens, client: client, service: "D365") }

    public init(
        environmentURL: String, tokens: EntraTokenProvider, client: ResilientClient, concurrency: Int, timeout: Duration = .seconds(120),
        logger: Logger
    ) {
        self.environmentURL = environmentURL
        self.tokens = tokens
        self.client = client
        limiter = AsyncLimiter(limit: min(8, concurrency))
        self.timeout = timeout
        self.logger = logger
    }

    /// Reads every page of `query`, handing each to `handle` as it arrives.
    public func readAll(_ query: ODataQuery, handle: (ODataPage) async throws -> Void) async throws {
        try await readPages(from: query.url(environmentURL: environmentURL), entitySet: query.entitySet, handle: handle)
    }

    /// Reads the page at `url` and every page its `@odata.nextLink`s lead to.
    func readPages(from url: String, entitySet: EntitySet, seen: Set<String> = [], handle: (ODataPage) async throws -> Void) async throws {
        var url: String? = url
        var seen = seen
        while let next = url {
            guard seen.insert(next).inserted else {
                throw D365Error(
                    category: .unexpected,
                    message: "D365 sent the same @odata.nextLink twice while reading \(entitySet); the read was stopped instead of looping.",
                    status: nil, detail: nil)
            }
            let page = try await fetch(next, entitySet: entitySet)
            try await handle(page)
            url = page.nextLink
        }
    }

    /// Fetches one page.
    public func fetch(_ url: String, entitySet: EntitySet) async throws -> ODataPage {
        try await limiter.run {
            logger.debug("GET \(url)")
            var malformed = 0
            while true {
                let response = try await bearer.send(timeout: timeout, policy: RetryPolicy(maximumRetries: 4, mayRepeat: true), logger: logger) {
                    token in
                    HTTPRequest(
                        url: url,
                        headers: [
                            ("Authorization", "Bearer \(token)"), ("Accept", "application/json"), ("OData-Version", "4.0"),
                            ("OData-MaxVersion", "4.0"),
                        ])
                }
                switch response.status {
                case 200:
                    if let page = Self.page(response.body, url: url) { return page }
                    malformed += 1
                    guard malformed <= malformedRetries else {
                        throw D365Error(
                            category: .temporary,
                            message:
                                "D365 answered a page of \(entitySet) that is not complete JSON, \(malformed) times in a row (a proxy or gateway may be interfering); the run stops and the next one tries again.",
                            status: 200, detail: String(decoding: response.body.prefix(120), as: UTF8.self))
                    }
                    logger.warning("a page of \(entitySet) was not complete JSON (\(response.body.count) bytes); fetching it again")
                case 401:
                    throw D365Error.unauthorized(environment: environmentURL)
                case 403:
                    throw D365Error.forbidden(entity: entitySet, write: false, detail: Self.innerMessage(response.body))
                case 404:
                    throw D365Error(
                        category: .unexpected,
                        message:
                            "D365 has no entity set \(entitySet) at \(environmentURL)/data/ (404); check D365_ENVIRONMENT_HOST and that the entity is public in this F&O version.",
                        status: 404, detail: Self.innerMessage(response.body))
                case 429, 500..<600:
                    throw D365Error(
                        category: .temporary,
                        message:
                            "D365 kept answering \(response.status) for \(entitySet) after the retries; the run stops and the next one tries again.",
                        status: response.status, detail: Self.innerMessage(response.body))
                default:
                    throw D365Error(
                        category: .unexpected, message: "D365 refused the query on \(entitySet) (HTTP \(response.status)).",
                        status: response.status, detail: Self.innerMessage(response.body))
                }
            }
        }
    }

    /// The service's `$metadata` document (entity types, enums, actions), as text.
    public func metadataDocument() async throws -> String {
        let response = try await bearer.send(timeout: timeout, policy: RetryPolicy(maximumRetries: 2, mayRepeat: true), logger: logger) { token in
            HTTPRequest(url: "\(environmentURL)/data/$metadata", headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/xml")])
        }
        switch response.status {
        case 200: return String(decoding: response.body, as: UTF8.self)
        case 401: throw D365Error.unauthorized(environment: environmentURL)
        default:
            throw D365Error(
                category: response.status >= 500 ? .temporary : .unexpected, message: "D365 did not send its $metadata (HTTP \(response.status)).",
                status: response.status, detail: Self.innerMessage(response.body))
        }
    }

    static func page(_ body: [UInt8], url: String) -> ODataPage? {
        guard let document = try? JSONParser.parse(body), let rows = document["value"]?.arrayValue else { return nil }
        return ODataPage(rows: rows, nextLink: document["@odata.nextLink"]?.stringValue, url: url)
    }

    /// F&O's useful text: `error.innererror.message`, else `error.message`.
    public static func innerMessage(_ body: [UInt8]) -> String? {
        guard let document = try? JSONParser.parse(body), let error = document["error"] else { return nil }
        return error["innererror"]?["message"]?.stringValue ?? error["message"]?.stringValue
    }
}
