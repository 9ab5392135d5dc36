import Foundation

/// A loopback Entra ID, D365 F&O and MachineMetrics, for tests, the demo and the benchmarks.
///
/// ```swift
/// let simulator = try await Simulator.start(SimulatorOptions())
/// defer { Task { await simulator.shutdown() } }
/// // point a connector at simulator.connectorEnvironment
/// ```
public final class Simulator: Sendable {
    let core: SimulatorCore
    private let server: LoopbackServer
    public let options: SimulatorOptions
    /// The CA's certificate (PEM) a connector must trust to reach a world served over TLS.
    public let certificateAuthorityPEM: String?
    /// The plant proxy in front, when there is one.
    public let proxy: SimulatedProxy?

    private init(core: SimulatorCore, server: LoopbackServer, options: SimulatorOptions, certificateAuthorityPEM: String?, proxy: SimulatedProxy?) {
        self.core = core
        self.server = server
        self.options = options
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.proxy = proxy
    }

    /// Generates the data set, binds the port and starts serving; with ``SimulatorOptions/tls`` over https, and with
    /// ``SimulatorOptions/proxy`` behind a proxy that alone resolves the services' name.
    public static func start(_ options: SimulatorOptions) async throws -> Simulator {
        guard ["127.0.0.1", "::1", "localhost"].contains(options.host) || options.host.hasPrefix("127.") else {
            throw SimulatorError("the simulator listens on loopback addresses only, not \(options.host)")
        }
        let authority = options.tls || options.proxy != nil ? try SimulatedCertificateAuthority() : nil
        let certificates = try options.clientCertificatePEMs.map { pem throws(SimulatorError) in try RegisteredCertificate(pem: pem) }
        let core = SimulatorCore(options: options, clientCertificates: certificates)
        let server = try await LoopbackServer.start(
            host: options.host, port: options.port, tls: authority?.serverContext,
            maximumBodyBytes: 64 * 1024 * 1024
        ) { request in
            core.handle(request)
        }
        var proxy: SimulatedProxy?
        if let login = options.proxy {
            proxy = try await SimulatedProxy.start(
                names: [SimulatedCertificateAuthority.serviceHost: options.host],
                login: login.user.map { ($0, login.password ?? "") })
        }
        let host = proxy != nil ? SimulatedCertificateAuthority.serviceHost : options.host.contains(":") ? "[\(options.host)]" : options.host
        core.baseURL.withLock { $0 = "\(authority == nil ? "http" : "https")://\(host):\(server.port)" }
        return Simulator(core: core, server: server, options: options, certificateAuthorityPEM: authority?.certificatePEM, proxy: proxy)
    }

    /// Stops serving.
    public func shutdown() async {
        await proxy?.stop()
        await server.stop()
    }

    /// `HTTPS_PROXY` for the plant proxy, with its login, when there is one.
    public var proxyURL: String? {
        guard let proxy else { return nil }
        let login =
            options.proxy?.user.map { user in
                "\(Self.percentEncoded(user)):\(Self.percentEncoded(options.proxy?.password ?? ""))@"
            } ?? ""
        return "http://\(login)127.0.0.1:\(proxy.port)"
    }

    private static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// The port the simulator listens on.
    public var port: Int { server.port }

    /// `http://127.0.0.1:PORT`: D365's environment URL and the Entra authority host.
    public var baseURL: String { core.base }

    /// The configuration that points a connector at this simulator, as `KEY=value` pairs in contract order.
    /// The secrets are fake and may be shown.
    public var connectorEnvironment: [(key: String, value: String)] {
        let identities = options.identities
        return [
            ("D365_ENVIRONMENT_HOST", baseURL),
            ("D365_TENANT_ID", identities.tenantID),
            ("D365_CLIENT_ID", identities.clientID),
            ("D365_CLIENT_SECRET", identities.clientSecret),
            ("MAPPING_SERVICE_TOKEN", identities.mappingServiceToken),
            ("MAPPING_SERVICE_URL", baseURL + MachineMetricsService.apiPrefix),
            ("MAPPING_AUTH_SERVICE_URL", baseURL + MachineMetricsService.authPrefix),
            ("D365_DEFAULT_SITE_ID", options.dataSet.siteID),
            ("D365_DEFAULT_DATA_AREA_ID", options.dataSet.legalEntity),
            ("AZURE_AUTHORITY_HOST", baseURL),
            ("D365_POSTING_ACTION", options.postingAction ?? "PostJournal"),
        ]
    }
}
