import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOSSL
import Synchronization

/// Sends requests and returns whole responses.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits at most `timeout` for the whole answer.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}

/// The HTTP client the connector uses: async-http-client, kept behind ``HTTPTransport``, one client per proxy a
/// request may go through (``NetworkOptions``), each trusting the system's CAs and `D365MM_CA_FILE`'s.
///
/// It never re-sends a request on its own: a write that reached the server is sent once, and only
/// the caller decides whether to try again.
public final class HTTPClient: HTTPTransport {
    private let options: NetworkOptions
    private let configuration: AsyncHTTPClient.HTTPClient.Configuration
    /// By proxy (`nil`: straight), made when first needed.
    private let clients = Mutex<[HTTPProxy?: AsyncHTTPClient.HTTPClient]>([:])
    /// The largest answer accepted, in bytes.
    public let maximumResponseBytes: Int

    /// Throws when `options.additionalCAFile` holds no certificate that can be read.
    public init(options: NetworkOptions = .direct, maximumResponseBytes: Int = 256 * 1024 * 1024, connectTimeout: Duration = .seconds(10)) throws {
        var configuration = AsyncHTTPClient.HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .init(connectTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        // A connection that cannot be made fails the request at once: ResilientClient tries again with its own backoff
        // and logs each try. Left on, async-http-client kept trying until the connect timeout ran out, so a service
        // that refused connections cost the whole timeout per attempt (swift-server/async-http-client#743).
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .enabled(limit: .none)
        if let file = options.additionalCAFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
            configuration.tlsConfiguration = tls
        }
        self.configuration = configuration
        self.options = options
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Closes every connection. Call once, when done.
    public func shutdown() async {
        for client in clients.withLock({ Array($0.values) }) { try? await client.shutdown() }
    }

    /// Runs `body` with a client that is shut down afterwards, whatever happens.
    public static func withClient<T>(options: NetworkOptions = .direct, _ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = try HTTPClient(options: options)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// The client for requests through `proxy` (or straight, for `nil`).
    private func client(through proxy: HTTPProxy?) -> AsyncHTTPClient.HTTPClient {
        clients.withLock { clients in
            if let client = clients[proxy] { return client }
            var configuration = configuration
            if let proxy {
                let login = proxy.username.map { AsyncHTTPClient.HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
                configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: login)
            }
            let client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[proxy] = client
            return client
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
            throw HTTPTransportError(
                kind: .invalidRequest, method: request.method, location: location,
                detail: "the value of the \(header.name) header holds a line break or another control character")
        }
        let target = RequestTarget(url: request.url)
        let proxy = target.flatMap { options.proxy($0.scheme, $0.host) }
        func failure(_ kind: HTTPTransportError.Kind, _ detail: String) -> HTTPTransportError {
            HTTPTransportError(kind: kind, method: request.method, location: location, detail: detail)
        }
        do {
            let response = try await client(through: proxy).execute(outgoing, timeout: .init(timeout))
            let body = try await response.body.collect(upTo: maximumResponseBytes)
            return HTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: Array(buffer: body)
            )
        } catch let error as AsyncHTTPClient.HTTPClientError where error == .proxyAuthenticationRequired {
            throw failure(
                .proxyLoginRefused,
                "\(proxy?.description ?? "the proxy") wants a user and password it accepts: check those in \(proxy?.variable ?? "HTTPS_PROXY")")
        } catch let error as AsyncHTTPClient.HTTPClientError where error == .invalidProxyResponse {
            throw failure(
                .proxyRefusedTunnel,
                "\(proxy?.description ?? "the proxy") could not or would not reach \(target.map { "\($0.host):\($0.port)" } ?? location)")
        } catch let error as AsyncHTTPClient.HTTPClientError {
            throw failure(Self.kind(of: error), error.shortDescription + (proxy.map { " through \($0)" } ?? ""))
        } catch let error as NIOTooManyBytesError {
            throw failure(.responseTooLarge, "over \(error.maxBytes ?? maximumResponseBytes) bytes")
        } catch let error as NIOConnectionError {
            let reason = Self.reason(error)
            throw failure(.connectionFailed, proxy.map { "cannot reach \($0): \(reason)" } ?? reason)
        } catch let error as IOError {
            // NIO's own wording of a refused connection reads "connection reset (error set): Connection refused".
            let kind: HTTPTransportError.Kind = Self.connectErrors.contains(error.errnoCode) ? .connectionFailed : .connectionLost
            let reason = "\(String(cString: strerror(error.errnoCode))), errno \(error.errnoCode)"
            throw failure(kind, proxy.map { kind == .connectionFailed ? "cannot reach \($0): \(reason)" : "\(reason), through \($0)" } ?? reason)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error where Self.isUntrustedCertificate(error) {
            guard let target else { throw failure(.untrustedCertificate, String(describing: error)) }
            let presented = await CertificateProbe.presented(host: target.host, port: target.port, through: proxy)
            throw failure(.untrustedCertificate, Self.untrustedAdvice(host: target.host, presented: presented, error: error))
        } catch {
            throw failure(.connectionFailed, String(describing: error) + (proxy.map { " (through \($0))" } ?? ""))
        }
    }

    /// Why no connection could be made: the first system error of the addresses tried, or that the name does not
    /// resolve.
    private static func reason(_ error: NIOConnectionError) -> String {
        if let io = error.connectionErrors.lazy.compactMap({ $0.error as? IOError }).first {
            return "\(String(cString: strerror(io.errnoCode))), errno \(io.errnoCode)"
        }
        if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil { return "the name \(error.host) does not resolve" }
        return String(describing: error)
    }

    /// What `connect(2)` fails with when nothing was sent: no service on the port, no route to the host.
    private static let connectErrors: Set<CInt> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ENETDOWN, EHOSTDOWN, EADDRNOTAVAIL]

    private static func kind(of error: AsyncHTTPClient.HTTPClientError) -> HTTPTransportError.Kind {
        if [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .httpProxyHandshakeTimeout, .tlsHandshakeTimeout].contains(error) {
            return .timedOut
        }
        if error == .remoteConnectionClosed { return .connectionLost }
        if [.invalidURL, .emptyHost, .emptyScheme].contains(error) { return .invalidRequest }
        return .connectionFailed
    }

    /// Whether TLS failed because the server's certificate is not vouched for, or does not name the host.
    private static func isUntrustedCertificate(_ error: any Error) -> Bool {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return true }
        if case NIOSSLError.handshakeFailed(let reason) = error {
            return String(describing: reason).contains("CERTIFICATE_VERIFY_FAILED")
        }
        return false
    }

    private static func untrustedAdvice(host: String, presented: CertificateProbe.Presented?, error: any Error) -> String {
        let which = presented.map { "its certificate is for \($0.subject), issued by \($0.issuer)" } ?? "its certificate could not be read"
        let hostname = (error as? NIOSSLExtraError) == .failedToValidateHostname ? " and does not name \(host)" : ""
        return "\(host) presented a certificate that is not trusted\(hostname) (\(which)). When a TLS-inspecting proxy or a private CA "
            + "signs it, put that CA's certificate in a PEM file and set D365MM_CA_FILE to it; the system's CAs stay trusted"
    }
}

/// The scheme, host and port of a request's URL: what decides its proxy.
struct RequestTarget {
    let scheme: String
    let host: String
    let port: Int

    init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host else {
            return nil
        }
        self.scheme = scheme
        self.host = host
        port = components.port ?? (scheme == "https" ? 443 : 80)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
