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
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw HTTPTransportError(kind: .connectionFailed, method: request.method, location: location, detail: String(describing: error))
        }
    }

    private static func kind(of error: AsyncHTTPClient.HTTPClientError) -> HTTPTransportError.Kind {
        if [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout].contains(error) { return .timedOut }
        if error == .remoteConnectionClosed { return .connectionLost }
        if [.invalidURL, .emptyHost, .emptyScheme].contains(error) { return .invalidURL }
        return .connectionFailed
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
