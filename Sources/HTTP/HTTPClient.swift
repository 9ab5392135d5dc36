import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Sends requests and returns whole responses.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits at most `timeout` for the whole answer.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}

/// The HTTP client the connector uses: async-http-client, kept behind ``HTTPTransport``.
///
/// It never re-sends a request on its own: a write that reached the server is sent once, and only
/// the caller decides whether to try again.
public final class HTTPClient: HTTPTransport {
    private let client: AsyncHTTPClient.HTTPClient
    /// The largest answer accepted, in bytes.
    public let maximumResponseBytes: Int

    public init(maximumResponseBytes: Int = 256 * 1024 * 1024, connectTimeout: Duration = .seconds(10)) {
        var configuration = AsyncHTTPClient.HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .init(connectTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        // A connection that cannot be made fails the request at once: ResilientClient tries again with its own backoff
        // and logs each try. Left on, async-http-client kept trying until the connect timeout ran out, so a service
        // that refused connections cost the whole timeout per attempt (swift-server/async-http-client#743).
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .enabled(limit: .none)
        client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Closes every connection. Call once, when done.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Runs `body` with a client that is shut down afterwards, whatever happens.
    public static func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient()
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .init(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let location = HTTPTransportError.location(of: request.url)
        // A header no server could receive is this request's fault, not the network's: it must not be retried as if
        // the connection had failed.
        if let header = request.headers.first(where: { !HeaderName.isValidValue($0.value) }) {
            throw HTTPTransportError(kind: .invalidRequest, method: request.method, location: location,
                                     detail: "the value of the \(header.name) header holds a line break or another control character")
        }
        do {
            let response = try await client.execute(outgoing, timeout: .init(timeout))
            let body = try await response.body.collect(upTo: maximumResponseBytes)
            return HTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: Array(buffer: body)
            )
        } catch let error as AsyncHTTPClient.HTTPClientError {
            throw HTTPTransportError(kind: Self.kind(of: error), method: request.method, location: location, detail: error.shortDescription)
        } catch let error as NIOTooManyBytesError {
            throw HTTPTransportError(kind: .responseTooLarge, method: request.method, location: location, detail: "over \(error.maxBytes ?? maximumResponseBytes) bytes")
        } catch let error as IOError {
            // NIO's own wording of a refused connection reads "connection reset (error set): Connection refused".
            let kind: HTTPTransportError.Kind = Self.connectErrors.contains(error.errnoCode) ? .connectionFailed : .connectionLost
            throw HTTPTransportError(kind: kind, method: request.method, location: location, detail: "\(String(cString: strerror(error.errnoCode))), errno \(error.errnoCode)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw HTTPTransportError(kind: .connectionFailed, method: request.method, location: location, detail: String(describing: error))
        }
    }

    /// What `connect(2)` fails with when nothing was sent: no service on the port, no route to the host.
    private static let connectErrors: Set<CInt> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ENETDOWN, EHOSTDOWN, EADDRNOTAVAIL]

    private static func kind(of error: AsyncHTTPClient.HTTPClientError) -> HTTPTransportError.Kind {
        if [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout].contains(error) { return .timedOut }
        if error == .remoteConnectionClosed { return .connectionLost }
        if [.invalidURL, .emptyHost, .emptyScheme].contains(error) { return .invalidRequest }
        return .connectionFailed
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
