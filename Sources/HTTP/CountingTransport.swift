import Synchronization

/// Counts every request sent through it (each try of a retried one too) by the service its URL belongs to, for the
/// metrics file's `d365mm_http_requests_total`.
public final class CountingTransport: HTTPTransport {
    private let base: any HTTPTransport
    /// Each service by the base URL its requests start with; the longest match names a request's service.
    private let services: [(prefix: String, name: String)]
    private let counts = Mutex<[String: Int]>([:])

    /// `services` maps a service's name to the base URLs of its requests; others count under `other`.
    public init(_ base: any HTTPTransport, services: [String: [String]]) {
        self.base = base
        self.services = services.flatMap { name, prefixes in prefixes.map { ($0, name) } }.sorted { $0.prefix.count > $1.prefix.count }
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let service = services.first { request.url.hasPrefix($0.prefix) }?.name ?? "other"
        counts.withLock { $0[service, default: 0] += 1 }
        return try await base.send(request, timeout: timeout)
    }

    /// Requests sent so far, by service.
    public var requests: [String: Int] { counts.withLock { $0 } }
}
