import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A plant's outbound proxy: it opens `CONNECT` tunnels, may require a Basic login, and is the only place the simulated
/// services' name resolves (``SimulatedCertificateAuthority/serviceHost``), so a connector that goes around it fails.
public final class SimulatedProxy: Sendable {
    /// One `CONNECT` as the proxy saw it.
    public struct Tunnel: Sendable, Equatable {
        /// `host:port`, as asked for.
        public let target: String
        /// The status the proxy answered: 200, 407 (login refused), 502 (no such host).
        public let status: Int
    }

    /// The tunnels asked for, shared with the connections' handlers.
    private final class TunnelLog: Sendable {
        let entries = Mutex<[Tunnel]>([])
    }

    private let channel: any Channel
    /// The port the proxy listens on (127.0.0.1).
    public let port: Int
    private let log: TunnelLog

    private init(channel: any Channel, port: Int, log: TunnelLog) {
        self.channel = channel
        self.port = port
        self.log = log
    }

    /// Every tunnel asked for so far, oldest first.
    public var tunnelsAsked: [Tunnel] { log.entries.withLock { $0 } }

    /// Starts a proxy on 127.0.0.1 that resolves `names` (host → address) and nothing else, and wants `login` when given.
    static func start(names: [String: String], login: (user: String, password: String)?) async throws -> SimulatedProxy {
        let log = TunnelLog()
        let expected = login.map { "Basic " + Data("\($0.user):\($0.password)".utf8).base64EncodedString() }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectHandler(names: names, expectedLogin: expected) { tunnel in
                            log.entries.withLock { $0.append(tunnel) }
                        })
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw SimulatorError("the simulated proxy could not learn its port") }
        return SimulatedProxy(channel: channel, port: port, log: log)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Reads one `CONNECT` request, checks the login, opens the connection and then relays bytes both ways.
private final class ConnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let names: [String: String]
    private let expectedLogin: String?
    private let record: @Sendable (SimulatedProxy.Tunnel) -> Void
    private var head: [UInt8] = []
    private var relaying = false

    init(names: [String: String], expectedLogin: String?, record: @escaping @Sendable (SimulatedProxy.Tunnel) -> Void) {
        self.names = names
        self.expectedLogin = expectedLogin
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !relaying else { return }
        var buffer = unwrapInboundIn(data)
        head += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let end = head.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if head.count > 16_384 { answer(431, context: context) }
            return
        }
        let lines = String(decoding: head[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let request = lines[0].split(separator: " ")
        guard request.count == 3, request[0] == "CONNECT" else { return answer(405, context: context) }
        let target = String(request[1])
        let login = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
            .map { String($0.dropFirst("proxy-authorization:".count)).trimmingCharacters(in: .whitespaces) }
        if let expectedLogin, login != expectedLogin {
            record(.init(target: target, status: 407))
            return answer(407, context: context, extra: "Proxy-Authenticate: Basic realm=\"d365mm simulated proxy\"\r\n")
        }
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]),
            let address = names[String(target[..<colon]).lowercased()]
        else {
            record(.init(target: target, status: 502))
            return answer(502, context: context)
        }
        relaying = true
        let client = context.channel
        // The server's channel shares this event loop, where the answer comes: both pipelines are touched from it alone.
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let record = self.record
        ClientBootstrap(group: context.eventLoop).connect(host: address, port: port).whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .failure:
                record(.init(target: target, status: 502))
                handler.answer(502, context: context)
            case .success(let server):
                record(.init(target: target, status: 200))
                _ = try? server.pipeline.syncOperations.addHandler(Relay(partner: client))
                context.writeAndFlush(
                    handler.wrapOutboundOut(context.channel.allocator.buffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")),
                    promise: nil)
                context.pipeline.syncOperations.removeHandler(handler, promise: nil)
                _ = try? context.pipeline.syncOperations.addHandler(Relay(partner: server))
            }
        }
    }

    private func answer(_ status: Int, context: ChannelHandlerContext, extra: String = "") {
        let reason =
            [405: "Method Not Allowed", 407: "Proxy Authentication Required", 431: "Request Header Fields Too Large", 502: "Bad Gateway"][status]
            ?? ""
        let text = "HTTP/1.1 \(status) \(reason)\r\n\(extra)Content-Length: 0\r\nConnection: close\r\n\r\n"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Forwards what one side of a tunnel reads to the other, and closes the other when this side closes.
private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let partner: any Channel

    init(partner: any Channel) { self.partner = partner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
