import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import X509

/// The certificate a server presents, read without trusting it: a "not trusted" error does not say which certificate
/// it was, and an operator needs its subject and issuer to know whether a TLS-inspecting proxy or a private CA signed
/// it. Through a proxy when one is in the way, as the request that failed went.
public enum CertificateProbe {
    /// What a server presented.
    public struct Presented: Sendable, Equatable {
        /// The certificate's subject, as RFC 4514 writes a name (`CN=…,O=…`).
        public let subject: String
        public let issuer: String
        public let notValidAfter: Date
    }

    /// The certificate `host:port` presents, or `nil` when no TLS handshake could be had within `timeout`.
    public static func presented(host: String, port: Int, through proxy: HTTPProxy?, timeout: TimeAmount = .seconds(10)) async -> Presented? {
        do {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(host: proxy?.host ?? host, port: proxy?.port ?? port).get()
            defer { channel.close(promise: nil) }
            let finished = channel.eventLoop.makePromise(of: Void.self)
            let deadline = channel.eventLoop.scheduleTask(in: timeout) { finished.fail(ChannelError.connectTimeout(timeout)) }
            defer { deadline.cancel() }
            // Handlers are made and added on the channel's event loop, which alone touches them.
            if let proxy {
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(TunnelHandler(target: "\(host):\(port)", proxy: proxy, established: finished))
                }.get()
                try await finished.futureResult.get()
            }
            let handshake = channel.eventLoop.makePromise(of: Void.self)
            channel.eventLoop.scheduleTask(in: timeout) { handshake.fail(ChannelError.connectTimeout(timeout)) }
            let serverName = HostAddress.isLiteral(host) ? nil : host
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandlers([
                    try NIOSSLClientHandler(context: context, serverHostname: serverName), HandshakeWatcher(done: handshake),
                ])
            }.get()
            try await handshake.futureResult.get()
            guard let peer = try await channel.nioSSL_peerCertificate().get() else { return nil }
            let certificate = try Certificate(derEncoded: try peer.toDERBytes())
            return Presented(
                subject: certificate.subject.description, issuer: certificate.issuer.description, notValidAfter: certificate.notValidAfter)
        } catch {
            return nil
        }
    }

    /// Asks the proxy for a tunnel to `target` and waits for its `200`; the bytes after are TLS.
    private final class TunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        private let target: String
        private let proxy: HTTPProxy
        private let established: EventLoopPromise<Void>
        private var answer: [UInt8] = []

        init(target: String, proxy: HTTPProxy, established: EventLoopPromise<Void>) {
            self.target = target
            self.proxy = proxy
            self.established = established
        }

        func handlerAdded(context: ChannelHandlerContext) {
            var request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
            if let username = proxy.username {
                let login = Data("\(username):\(proxy.password ?? "")".utf8).base64EncodedString()
                request += "Proxy-Authorization: Basic \(login)\r\n"
            }
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: request + "\r\n")), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            answer += buffer.readBytes(length: buffer.readableBytes) ?? []
            guard let end = answer.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let statusLine = String(decoding: answer[..<end.lowerBound].prefix { $0 != 0x0D }, as: UTF8.self)
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            if statusLine.split(separator: " ").dropFirst().first == "200" {
                established.succeed()
            } else {
                established.fail(ChannelError.inappropriateOperationForState)
            }
        }
    }

    /// Completes `done` when the TLS handshake has.
    private final class HandshakeWatcher: ChannelInboundHandler {
        typealias InboundIn = NIOAny
        private let done: EventLoopPromise<Void>

        init(done: EventLoopPromise<Void>) { self.done = done }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .handshakeCompleted? = event as? TLSUserEvent { done.succeed() }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
        }
    }
}

/// Hosts written as IP addresses, which TLS does not send as a server name.
enum HostAddress {
    static func isLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }
}
