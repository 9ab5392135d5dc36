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

    private init(core: SimulatorCore, server: LoopbackServer, options: SimulatorOptions) {
        self.core = core
        self.server = server
        self.options = options
    }

    /// Generates the data set, binds the port and starts serving.
    public static func start(_ options: SimulatorOptions) async throws -> Simulator {
        guard ["127.0.0.1", "::1", "localhost"].contains(options.host) || options.host.hasPrefix("127.") else {
            throw SimulatorError("the simulator listens on loopback addresses only, not \(options.host)")
        }
        let core = SimulatorCore(options: options)
        let server = try await LoopbackServer.start(host: options.host, port: options.port, maximumBodyBytes: 64 * 1024 * 1024) { request in
            core.handle(request)
        }
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        core.baseURL.withLock { $0 = "http://\(host):\(server.port)" }
        return Simulator(core: core, server: server, options: options)
    }

    /// Stops serving.
    public func shutdown() async {
        await server.stop()
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
