import CrashPoints
import D365
import Foundation
import JSON
import Logging
import MachineMetrics
import Mapping
import Spool
import StateStore
import Synchronization

/// One `d365mm run from-erp`: D365 → inbox → transform → outbound → MachineMetrics → posted.
///
/// Work already in the spool goes first: inbox pages are transformed and outbound batches sent before anything
/// new is pulled, so that a MachineMetrics outage never piles up duplicate batches.
public final class FromERPRun {
    public struct Options: Sendable {
        public var scope: FromERPMapping.Scope
        /// Send every record, not only those that changed.
        public var full: Bool
        public var concurrency: Int

        public init(scope: FromERPMapping.Scope, full: Bool, concurrency: Int) {
            self.scope = scope
            self.full = full
            self.concurrency = concurrency
        }
    }

    private let options: Options
    private let spool: Spool
    private let database: StateDatabase
    private let odata: ODataClient
    private let machineMetrics: MachineMetricsClient
    private let logger: Logger
    private let progress: Progress
    private let writer: SpoolWriter
    public let runID: String

    public init(options: Options, spool: Spool, database: StateDatabase, odata: ODataClient, machineMetrics: MachineMetricsClient,
                runID: String, logger: Logger, progress: Progress = .silent) {
        self.options = options
        self.spool = spool
        self.database = database
        self.odata = odata
        self.machineMetrics = machineMetrics
        self.runID = runID
        self.logger = logger
        self.progress = progress
        writer = SpoolWriter(spool: spool, runID: runID, direction: .fromERP)
    }

    /// Runs every stage; never throws: how it ended is in the report.
    public func run() async -> RunReport {
        let transformer = FromERPTransformer(spool: spool, writer: writer, database: database, scope: options.scope, full: options.full, logger: logger)
        let poster = MachineMetricsPoster(direction: .fromERP, collections: FromERPMapping.collectionOrder, spool: spool, database: database, machineMetrics: machineMetrics, runID: runID, logger: logger, progress: progress)
        let bookkeeping = RunBookkeeping(runID: runID, direction: .fromERP, spool: spool, database: database, logger: logger)
        return await bookkeeping.perform { report in
            let leftovers = try spool.items(in: .inbox, for: .fromERP).count + spool.items(in: .outbound, for: .fromERP).count
            if leftovers > 0 { logger.info("\(leftovers) file(s) wait in inbox/ and outbound/ from earlier runs or an operator; they go first") }
            try await report.timing("transform") { try transformer.transformInbox(&$0) }
            try await report.timing("send") { try await poster.postOutbound(&$0) }
            try await report.timing("pull") { try await pull(&$0) }
            try await report.timing("transform") { try transformer.transformInbox(&$0) }
            try await report.timing("send") { try await poster.postOutbound(&$0) }
        }
    }

    /// Pulls the synchronised set into `inbox/`, then what left it since the last complete pull.
    private func pull(_ report: inout RunReport) async throws {
        let puller = FromERPPuller(odata: odata, writer: writer, scope: options.scope, concurrency: options.concurrency, logger: logger, progress: progress)
        let pulled = try await puller.pull()
        CrashPoint.reached("from-erp.pulled")
        for (entity, pages) in pulled.pages.sorted(by: { $0.key < $1.key }) {
            report.add("pages pulled", pages)
            report.add("rows pulled", pulled.rows[entity] ?? 0)
            logger.info("pulled \(pulled.rows[entity] ?? 0) rows of \(entity) in \(pages) page(s)")
        }
        try database.markSeen(runID: runID, collection: "work-orders", keys: pulled.workOrderKeys)
        try database.markSeen(runID: runID, collection: "persons", keys: pulled.personKeys)
        try await pullDeparted(puller, &report)
        try database.forgetSeenKeys(exceptRun: runID)
    }

    /// Reads again the work orders and workers that were in the synchronised set but not in this complete pull,
    /// so that their new status reaches MachineMetrics once.
    private func pullDeparted(_ puller: FromERPPuller, _ report: inout RunReport) async throws {
        let departedOrders = try database.departedKeys(runID: runID, collection: "work-orders")
        let departedWorkers = try database.departedKeys(runID: runID, collection: "persons")
        guard !departedOrders.isEmpty || !departedWorkers.isEmpty else { return }
        logger.info("\(departedOrders.count) work order(s) and \(departedWorkers.count) worker(s) left the synchronised set; reading their new status")
        report.add("records departed", departedOrders.count + departedWorkers.count)
        var orderNumbers: [String] = []
        for key in departedOrders {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2 && parts[0] == options.scope.dataAreaID { orderNumbers.append(parts[1]) }
        }
        let found = Mutex(Set<String>())
        var queries: [ODataQuery] = []
        for numbers in orderNumbers.chunked(keysPerFilter) {
            let filter = ODataFilter.allOf([ODataFilter.equals("dataAreaId", options.scope.dataAreaID), ODataFilter.equalsAny("ProductionOrderNumber", numbers)])
            queries.append(ODataQuery(entitySet: "ProductionOrderHeaders", filter: filter, select: FromERPMapping.selectedFields["ProductionOrderHeaders"]))
        }
        for numbers in departedWorkers.chunked(keysPerFilter) {
            queries.append(ODataQuery(entitySet: "Workers", filter: ODataFilter.equalsAny("PersonnelNumber", numbers), select: FromERPMapping.selectedFields["Workers"]))
        }
        let collected = FromERPPuller.Collector()
        for query in queries {
            try await puller.read(query, into: collected) { (rows: [JSONValue]) in
                var keys: [String] = []
                for row in rows {
                    if let key = row["ProductionOrderNumber"]?.stringValue ?? row["PersonnelNumber"]?.stringValue { keys.append(key.lowercased()) }
                }
                found.withLock { $0.formUnion(keys) }
            }
        }
        // What D365 no longer has at all ends in MachineMetrics too.
        let seen = found.withLock { $0 }
        let dataArea = options.scope.dataAreaID
        let vanishedOrders = orderNumbers.filter { !seen.contains($0.lowercased()) }.map { (number: String) -> JSONValue in
            let fields: [(key: String, value: JSONValue)] = [
                ("dataAreaId", .string(dataArea)), ("ProductionOrderNumber", .string(number)), ("ProductionOrderStatus", .string("Completed")),
            ]
            return .object(JSONObject(fields))
        }
        let vanishedWorkers = departedWorkers.filter { !seen.contains($0.lowercased()) }.map { (number: String) -> JSONValue in
            let fields: [(key: String, value: JSONValue)] = [("PersonnelNumber", .string(number)), ("WorkerStatus", .string("Terminated"))]
            return .object(JSONObject(fields))
        }
        let note = JSONObject([(key: "note", value: JSONValue.string("no longer found in D365; sent once as ended (orders) or terminated (workers)"))])
        if !vanishedOrders.isEmpty {
            try writer.write(vanishedOrders, kind: "ProductionOrderHeaders", nameKind: "production-orders", schema: Envelope.inboxSchema, metadata: note, to: .inbox)
        }
        if !vanishedWorkers.isEmpty {
            try writer.write(vanishedWorkers, kind: "Workers", nameKind: "workers", schema: Envelope.inboxSchema, metadata: note, to: .inbox)
        }
    }
}
