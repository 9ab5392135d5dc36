import AsyncLimiting
import CrashPoints
import D365
import Foundation
import JSON
import Logging
import MachineMetrics
import Mapping
import Spool
import StateStore
import Stopping
import Synchronization
import Vocabulary

/// One `d365mm run from-erp`: D365 → pages (named by a `pages` item) → transform → outbound → MachineMetrics → posted.
///
/// Work already in the spool goes first: inbox items are transformed and outbound batches sent before anything
/// new is pulled, so that a MachineMetrics outage never piles up duplicate batches. The transform keeps pace with
/// the pull: a run where nothing changed takes little longer than reading D365.
public final class FromERPRun {
    public struct Options: Sendable {
        public var scope: FromERPMapping.Scope
        /// Send every record, not only those that changed.
        public var full: Bool
        public var concurrency: Int
        /// Pull into `inbox/` and stop; the next run transforms and sends what was pulled.
        public var pullOnly: Bool
        /// How many open orders one read asks for.
        public var orderWindow: Int

        public static let defaultOrderWindow = 2_000

        public init(scope: FromERPMapping.Scope, full: Bool, concurrency: Int, pullOnly: Bool = false, orderWindow: Int = defaultOrderWindow) {
            self.scope = scope
            self.full = full
            self.concurrency = concurrency
            self.pullOnly = pullOnly
            self.orderWindow = max(1, orderWindow)
        }
    }

    /// Rows read but not yet transformed, at most: one window of open orders, or a few dozen pages of route operations.
    static let rowsAwaitingTransform = Options.defaultOrderWindow

    private let options: Options
    private let spool: Spool
    private let database: StateDatabase
    private let odata: ODataClient
    private let machineMetrics: MachineMetricsClient
    private let logger: Logger
    private let progress: Progress
    private let stop: StopRequest
    private let writer: SpoolWriter
    public let runID: String

    public init(
        options: Options, spool: Spool, database: StateDatabase, odata: ODataClient, machineMetrics: MachineMetricsClient,
        runID: String, logger: Logger, progress: Progress = .silent, stop: StopRequest = StopRequest()
    ) {
        self.options = options
        self.stop = stop
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
        let transformer = FromERPTransformer(
            spool: spool, writer: writer, database: database, scope: options.scope, full: options.full, logger: logger)
        let poster = MachineMetricsPoster(
            direction: .fromERP, collections: RecordCollection.sendingOrder, spool: spool, database: database, machineMetrics: machineMetrics,
            runID: runID, logger: logger, progress: progress)
        let bookkeeping = RunBookkeeping(runID: runID, direction: .fromERP, spool: spool, database: database, logger: logger, stop: stop)
        return await bookkeeping.perform { report in
            if options.pullOnly {
                try await report.timing("pull") { try await pull(&$0, transformingWith: nil) }
                logger.info("pulled into inbox/ only (--pull-only): nothing was transformed or sent; the next run does both")
                return
            }
            let leftovers = try spool.items(in: .inbox, for: .fromERP).count + spool.items(in: .outbound, for: .fromERP).count
            if leftovers > 0 { logger.info("\(leftovers) file(s) wait in inbox/ and outbound/ from earlier runs or an operator; they go first") }
            try await report.timing("transform") { try transformer.transformInbox(&$0) }
            try await report.timing("send") { try await poster.postOutbound(&$0) }
            try await report.timing("pull") { try await pull(&$0, transformingWith: transformer) }
            try await report.timing("transform") { try transformer.transformInbox(&$0) }
            try await report.timing("send") { try await poster.postOutbound(&$0) }
        }
    }

    /// Pulls the synchronised set into `pages/`, transforming it as it lands when `transformer` is given, then what
    /// left the set since the last complete pull; then names every page kept in the run's `pages` items, however the
    /// pull ended.
    private func pull(_ report: inout RunReport, transformingWith transformer: FromERPTransformer?) async throws {
        let puller = FromERPPuller(
            odata: odata, pageStore: PageStore(spool: spool), scope: options.scope, concurrency: options.concurrency,
            orderWindow: options.orderWindow, logger: logger, progress: progress)
        let collected = FromERPPuller.Collector()
        do {
            let pulled =
                if let transformer {
                    try await pullTransforming(puller, into: collected, transformer, &report)
                } else {
                    try await puller.pull(into: collected)
                }
            CrashPoint.reached("from-erp.pulled")
            for (entitySet, pages) in Dictionary(grouping: pulled.entries, by: \.entitySet).sorted(by: { $0.key < $1.key }) {
                let rows = pages.reduce(0) { $0 + $1.rows }
                report.add(.pagesPulled, pages.count)
                report.add(.rowsPulled, rows)
                logger.info("pulled \(rows) rows of \(entitySet) in \(pages.count) page(s)")
            }
            try await pullDeparted(puller, seen: pulled, into: collected, &report)
        } catch {
            do { try publishPageLists(collected, done: transformer?.pulledPagesDone ?? [], &report) } catch let publishing {
                logger.warning("the pages read before the pull stopped are not named by an item; the next run reads them again: \(publishing)")
            }
            throw error
        }
        try publishPageLists(collected, done: transformer?.pulledPagesDone ?? [], &report)
    }

    /// Names the pages this run kept: those transformed in a `pages` item of `posted/` (their work is done), the others
    /// in one of `inbox/`, for the transform that follows or the next run. The state database learns first which pages
    /// are named, so that no page an item names is ever taken for unused.
    private func publishPageLists(_ collected: FromERPPuller.Collector, done: Set<Int>, _ report: inout RunReport) throws {
        let (entries, written) = collected.withLock { ($0.entries, $0.pagesWritten) }
        guard !entries.isEmpty else { return }
        let pageStore = PageStore(spool: spool)
        var named = Set(entries.map(\.address.hex))
        var items: [(folder: SpoolFolder, item: PageListItem)] = []
        let transformed = entries.indices.filter(done.contains)
        let waiting = entries.indices.filter { !done.contains($0) }
        for (folder, numbers) in [(SpoolFolder.posted, transformed), (.inbox, waiting)] where !numbers.isEmpty {
            let list = PageList(numbers.map { entries[$0] })
            let stored = list.stored
            _ = try pageStore.keep(stored)
            named.insert(stored.address.hex)
            items.append((folder, PageListItem(list: stored.address, pages: list.entries.count, rows: list.rows)))
        }
        try database.notePagesNamed(named, at: ItemName.timestamp(Date()))
        CrashPoint.reached("from-erp.pages-named")
        for (folder, item) in items {
            let file = try writer.write(
                [item.record], kind: PageListItem.kind, nameKind: PageListItem.kind, schema: Envelope.inboxSchema, metadata: [:], to: folder)
            logger.info("\(folder.rawValue)/\(file.name) names the \(item.pages) page(s) pulled (\(item.rows) rows)")
        }
        report.add(.pagesWritten, written)
        logger.info("\(written) of the \(entries.count) page(s) pulled were new to pages/; the others were kept already")
    }

    /// Pulls with the transform keeping pace: each page's rows are digested as it is kept, by the task that read it,
    /// while this task, which owns the state database, looks them up, maps what changed and writes batches.
    /// Pages wait their turn up to ``rowsAwaitingTransform`` rows in all (a larger page waits alone), so memory does not
    /// grow with the data set: counting pages instead let ten windows of orders wait at once.
    private func pullTransforming(
        _ puller: FromERPPuller, into collected: FromERPPuller.Collector, _ transformer: FromERPTransformer, _ report: inout RunReport
    ) async throws
        -> FromERPPuller.Result
    {
        let (pages, queue) = AsyncStream.makeStream(of: (page: InboxPage, rows: Int).self)
        let room = AsyncLimiter(limit: Self.rowsAwaitingTransform)
        // The transform's own time, apart from the pull's (which includes it).
        var transforming = Duration.zero
        defer { report.add(transforming, toStage: "transform") }
        return try await withThrowingTaskGroup(of: FromERPPuller.Result.self) { group in
            group.addTask {
                defer { queue.finish() }
                return try await puller.pull(into: collected) { page in
                    await room.acquire(page.rows.count)
                    queue.yield((InboxPage(page), page.rows.count))
                }
            }
            var failure: (any Error)?
            for await (page, rows) in pages {
                defer { room.release(rows) }
                // After a failure the pull is told to stop; the pages still arriving are named by an inbox/ item, for the next run.
                guard failure == nil else { continue }
                let started = ContinuousClock.now
                do {
                    try transformer.take(page, report: &report)
                } catch {
                    failure = error
                    group.cancelAll()
                }
                transforming += ContinuousClock.now - started
            }
            if let failure { throw failure }
            do {
                let pulled = try await group.next()!
                try transformer.finishTaken(report: &report)
                return pulled
            } catch {
                // What was taken before the pull failed is done work: write it, so the next run does not send it twice.
                do { try transformer.finishTaken(report: &report) } catch let flushing {
                    logger.warning("the pages transformed before the pull stopped are named by an inbox/ item, for the next run: \(flushing)")
                }
                throw error
            }
        }
    }

    /// Reads again the work orders and workers that were in the synchronised set but not in this complete pull,
    /// so that their new status reaches MachineMetrics once.
    private func pullDeparted(
        _ puller: FromERPPuller, seen pulled: FromERPPuller.Result, into collected: FromERPPuller.Collector, _ report: inout RunReport
    ) async throws {
        let departedOrders = try database.departedKeys(collection: RecordCollection.workOrders.rawValue, seen: Set(pulled.workOrderKeys))
        let departedWorkers = try database.departedKeys(collection: RecordCollection.persons.rawValue, seen: Set(pulled.personKeys))
        guard !departedOrders.isEmpty || !departedWorkers.isEmpty else { return }
        logger.info(
            "\(departedOrders.count) work order(s) and \(departedWorkers.count) worker(s) left the synchronised set; reading their new status")
        report.add(.recordsDeparted, departedOrders.count + departedWorkers.count)
        var orderNumbers: [String] = []
        for key in departedOrders {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2 && parts[0] == options.scope.dataAreaID { orderNumbers.append(parts[1]) }
        }
        let found = Mutex(Set<String>())
        var queries: [ODataQuery] = []
        for numbers in orderNumbers.chunked(keysPerFilter) {
            let filter = ODataFilter.allOf([
                ODataFilter.equals("dataAreaId", options.scope.dataAreaID), ODataFilter.equalsAny("ProductionOrderNumber", numbers),
            ])
            queries.append(ODataQuery(pulling: .productionOrders, filter: filter))
        }
        for numbers in departedWorkers.chunked(keysPerFilter) {
            queries.append(ODataQuery(pulling: .workers, filter: ODataFilter.equalsAny("PersonnelNumber", numbers)))
        }
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
        let note = JSONObject([(key: "note", value: JSONValue.string("no longer found in D365; sent once as ended (orders) or terminated (workers)"))]
        )
        if !vanishedOrders.isEmpty {
            try writer.write(
                vanishedOrders, kind: EntitySet.productionOrders.name, nameKind: EntitySet.productionOrders.inboxKind, schema: Envelope.inboxSchema,
                metadata: note, to: .inbox)
        }
        if !vanishedWorkers.isEmpty {
            try writer.write(
                vanishedWorkers, kind: EntitySet.workers.name, nameKind: EntitySet.workers.inboxKind, schema: Envelope.inboxSchema, metadata: note,
                to: .inbox)
        }
    }
}
