import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP/1.1 server on a loopback address that hands each whole request to a responder.
///
/// The responder runs off the event loop, so one slow query does not hold up other connections.
final class LoopbackServer: Sendable {
    typealias Responder = @Sendable (SimulatedRequest) -> ResponsePlan

    private let channel: any Channel
    /// The port the server listens on.
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Binds `host:port` (port 0 picks a free one) and starts serving, over TLS when `tls` is given.
    static func start(host: String, port: Int, tls: NIOSSLContext? = nil, maximumBodyBytes: Int, responder: @escaping Responder) async throws
        -> LoopbackServer
    {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true)
                    try channel.pipeline.syncOperations.addHandler(
                        ExchangeHandler(responder: responder, maximumBodyBytes: maximumBodyBytes)
                    )
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close()
            throw SimulatorError("the simulator could not learn which port it is bound to")
        }
        return LoopbackServer(channel: channel, port: boundPort)
    }

    /// Stops accepting connections and closes the listening socket.
    func stop() async {
        try? await channel.close()
    }
}

/// Collects one request at a time and writes the responder's answer.
private final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: LoopbackServer.Responder
    private let maximumBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(responder: @escaping LoopbackServer.Responder, maximumBodyBytes: Int) {
        self.responder = responder
        self.maximumBodyBytes = maximumBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > maximumBodyBytes {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            if tooLarge {
                write(.respond(.text(413, "request body too large")), keepAlive: false, context: context)
                return
            }
            let request = Self.request(from: head, body: body)
            body = []
            let responder = self.responder
            let eventLoop = context.eventLoop
            DispatchQueue.global().async {
                let plan = responder(request)
                let deliver: @Sendable () -> Void = {
                    eventLoop.execute {
                        let (handler, context) = loopBound.value
                        handler.write(plan.outcome, keepAlive: keepAlive, context: context)
                    }
                }
                if plan.delay > .zero {
                    eventLoop.scheduleTask(in: TimeAmount.nanoseconds(Int64(plan.delay.nanoseconds))) { deliver() }
                } else {
                    deliver()
                }
            }
        }
    }

    private func write(_ outcome: ResponsePlan.Outcome, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        switch outcome {
        case .hangUp:
            context.close(promise: nil)
        case .respond(let response):
            var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if !response.body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
            }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    private static func request(from head: HTTPRequestHead, body: [UInt8]) -> SimulatedRequest {
        let uri = head.uri
        let path: String
        let query: String
        if let mark = uri.firstIndex(of: "?") {
            path = String(uri[..<mark])
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri
            query = ""
        }
        return SimulatedRequest(
            method: head.method.rawValue,
            path: path,
            query: query,
            headers: head.headers.map { (name: $0.name, value: $0.value) },
            body: body
        )
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// A failure of the simulator itself (bad scenario, bad flags), with a message for the operator.
public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
