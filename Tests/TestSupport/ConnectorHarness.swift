import Foundation
import Simulator

/// A connector instance pointed at a simulator: its environment, its spool, and a way to run it.
public struct ConnectorHarness: Sendable {
    public let session: SimulatorSession
    public let spoolDirectory: String
    public var environment: [String: String]

    public init(session: SimulatorSession, spoolDirectory: String, extra: [String: String] = [:]) {
        self.session = session
        self.spoolDirectory = spoolDirectory
        var environment = Dictionary(session.simulator.connectorEnvironment.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        environment["D365MM_SPOOL_DIR"] = spoolDirectory
        environment["D365MM_RETRY_BUDGET_SECONDS"] = "5"
        environment["MM_API_RETRY_ATTEMPTS"] = "1"
        environment["MM_API_TIMEOUT_SECONDS"] = "5"
        if let caFile = session.certificateAuthorityFile { environment["D365MM_CA_FILE"] = caFile }
        if let proxy = session.simulator.proxyURL { environment["HTTPS_PROXY"] = proxy }
        self.environment = environment.merging(extra) { $1 }
    }

    /// Runs `d365mm arguments…` with this instance's environment; every output is kept for the secret checks.
    public func run(
        _ arguments: [String], changing changes: [String: String?] = [:], unprivileged: Bool = false, toJournal: Bool = false
    ) async throws -> CommandResult {
        try await D365MMBinary.run(arguments, environment: environment(changing: changes), unprivileged: unprivileged, toJournal: toJournal)
    }

    /// This instance's environment with `changes` applied (`nil` removes a variable).
    public func environment(changing changes: [String: String?] = [:]) -> [String: String] {
        var environment = self.environment
        for (key, value) in changes { environment[key] = value }
        return environment
    }

    /// The names in a spool folder (hidden files left out).
    public func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(spoolDirectory)/\(folder)")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Every byte the connector left in its spool, as text, for searching.
    public func spoolText() -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: spoolDirectory)
        while let relative = enumerator?.nextObject() as? String {
            let path = "\(spoolDirectory)/\(relative)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: path)
            {
                text += String(decoding: data, as: UTF8.self)
            }
        }
        return text
    }

    /// The secrets of this world: configured ones and every access token issued so far.
    public var secrets: [String] {
        [session.setting("D365_CLIENT_SECRET"), session.setting("MAPPING_SERVICE_TOKEN")] + session.simulator.issuedAccessTokens()
    }

    /// The secrets that appear in `texts` (should be none).
    public func leakedSecrets(in texts: [String]) -> [String] {
        secrets.filter { secret in texts.contains { $0.contains(secret) } }
    }
}

/// What a correct from-ERP sync of the simulator's world holds, worked out from the simulator's tables directly.
public struct ExpectedFromERP {
    public var workOrders: Set<String> = []
    public var operations: Set<String> = []
    public var parts: Set<String> = []
    public var resources: Set<String> = []
    public var persons: Set<String> = []

    public init(_ simulator: Simulator, dataAreaID: String = "usmf", siteID: String = "1") {
        let orders = simulator.table("ProductionOrderHeaders")
        let open: Set = ["Released", "StartedUp", "ReportedFinished"]
        var items = Set<String>()
        for row in 0..<orders.count where orders.string(row: row, "dataAreaId") == dataAreaID && orders.string(row: row, "ProductionSiteId") == siteID
        {
            guard case .member(let status) = orders.value(row: row, "ProductionOrderStatus"), open.contains(EnumTypes.prodStatus.members[status].name)
            else { continue }
            workOrders.insert("\(dataAreaID)/\(orders.string(row: row, "ProductionOrderNumber"))")
            items.insert(orders.string(row: row, "ItemNumber"))
        }
        let operationsTable = simulator.table("ProductionOrderRouteOperations")
        for row in 0..<operationsTable.count where operationsTable.string(row: row, "dataAreaId") == dataAreaID {
            let order = "\(dataAreaID)/\(operationsTable.string(row: row, "ProductionOrderNumber"))"
            guard workOrders.contains(order), case .integer(let number) = operationsTable.value(row: row, "OperationNumber"),
                case .member(let priority) = operationsTable.value(row: row, "OperationPriority")
            else { continue }
            operations.insert("\(order)/\(number)/\(EnumTypes.routeOprPriority.members[priority].name)")
        }
        parts = Set(items.map { "\(dataAreaID)/\($0)" })
        let resourcesTable = simulator.table("OperationsResources")
        resources = Set(
            (0..<resourcesTable.count).filter { resourcesTable.string(row: $0, "dataAreaId") == dataAreaID }
                .map { "\(dataAreaID)/\(resourcesTable.string(row: $0, "ResourceId"))" })
        let workers = simulator.table("Workers")
        persons = Set(
            (0..<workers.count).filter { workers.value(row: $0, "WorkerStatus") == .member(1) }.map { workers.string(row: $0, "PersonnelNumber") })
    }

    /// Collection → expected keys.
    public var byCollection: [String: Set<String>] {
        ["work-orders": workOrders, "operations": operations, "parts": parts, "resources": resources, "persons": persons]
    }
}

/// A simulated world of `orders` production orders and `laborTickets` pending labor tickets, and a connector instance
/// pointed at it with its own spool and `extra` settings.
public func withConnector(
    orders: Int, laborTickets: Int, configure: (inout SimulatorOptions) -> Void = { _ in }, extra: [String: String],
    _ body: (ConnectorHarness) async throws -> Void
) async throws {
    try await withSimulator({ options in
        options.dataSet.orders = orders
        options.dataSet.laborTickets = laborTickets
        configure(&options)
    }) { session in
        try await withTemporaryDirectory { directory in
            try await body(ConnectorHarness(session: session, spoolDirectory: directory + "/spool", extra: extra))
        }
    }
}
