import D365
import Foundation
import JSON
import Logging
import Mapping
import Spool
import Synchronization

/// Pulls the from-ERP entities from D365 into `inbox/`, a page per file.
struct FromERPPuller: Sendable {
    /// What the pull saw, for finding what left the synchronised set.
    struct Result {
        var workOrderKeys: [String] = []
        var personKeys: [String] = []
        var pages: [String: Int] = [:]
        var rows: [String: Int] = [:]
    }

    let odata: ODataClient
    let writer: SpoolWriter
    let scope: FromERPMapping.Scope
    let concurrency: Int
    /// Open orders are read this many at a time (`$top`/`$skip`, by number): D365's own pages hold up to 10,000 rows,
    /// and the largest page read sets a run's peak memory.
    let orderWindow: Int
    let logger: Logger
    let progress: Progress

    static let inboxKinds = [
        "ProductionOrderHeaders": "production-orders", "ProductionOrderRouteOperations": "route-operations",
        "OperationsResources": "resources", "Workers": "workers", "ReleasedProductsV2": "released-products",
    ]

    /// A page as written to `inbox/`, with its rows' digests (``FromERPMapping/rowDigests(entitySet:rows:scope:)``).
    struct Page: Sendable {
        let name: String
        let entitySet: String
        let rows: [JSONValue]
        let digests: [String]
    }

    /// Called with each page once it is in `inbox/`, from the task that read it.
    typealias PageHandler = @Sendable (Page) async -> Void

    /// Gathers what concurrent reads saw.
    final class Collector: Sendable {
        let state = Mutex(Result())
        func withLock<T: Sendable>(_ body: (inout Result) -> T) -> T { state.withLock { value in body(&value) } }
    }

    func pull(onPage: PageHandler? = nil) async throws -> Result {
        let collected = Collector()
        let orderQuery = ODataQuery(
            entitySet: "ProductionOrderHeaders",
            filter: ODataFilter.allOf([
                ODataFilter.equals("dataAreaId", scope.dataAreaID), ODataFilter.equals("ProductionSiteId", scope.siteID),
                ODataFilter.anyOf(FromERPMapping.openStatuses.map { ODataFilter.equals("ProductionOrderStatus", enumType: "ProdStatus", member: $0) }),
            ]),
            select: FromERPMapping.selectedFields["ProductionOrderHeaders"]
        )
        var orderNumbers: [String] = []
        var itemNumbers = Set<String>()
        var skip = 0
        while true {
            var window = orderQuery
            window.orderBy = "ProductionOrderNumber"
            window.top = orderWindow
            window.skip = skip > 0 ? skip : nil
            var rowsInWindow = 0
            try await read(window, into: collected, onPage: onPage) { rows in
                rowsInWindow += rows.count
                for row in rows {
                    guard let number = row["ProductionOrderNumber"]?.stringValue else { continue }
                    orderNumbers.append(number)
                    if let item = row["ItemNumber"]?.stringValue, !item.isEmpty { itemNumbers.insert(item) }
                }
            }
            // Fewer rows: that was the last window. More: the server ignored $top and sent everything.
            guard rowsInWindow == orderWindow else { break }
            skip += orderWindow
        }
        collected.withLock { $0.workOrderKeys = orderNumbers.map { FromERPMapping.workOrderKey(dataAreaID: scope.dataAreaID, number: $0) } }
        logger.info("D365 has \(orderNumbers.count) open production orders for \(scope.dataAreaID) site \(scope.siteID)")

        var queries = orderNumbers.chunked(keysPerFilter).map { numbers in
            ODataQuery(entitySet: "ProductionOrderRouteOperations",
                       filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", scope.dataAreaID),
                                                  ODataFilter.equalsAny("ProductionOrderNumber", numbers)]),
                       select: FromERPMapping.selectedFields["ProductionOrderRouteOperations"])
        }
        queries += itemNumbers.sorted().chunked(keysPerFilter).map { items in
            ODataQuery(entitySet: "ReleasedProductsV2",
                       filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", scope.dataAreaID),
                                                  ODataFilter.equalsAny("ItemNumber", items)]),
                       select: FromERPMapping.selectedFields["ReleasedProductsV2"])
        }
        queries.append(ODataQuery(entitySet: "OperationsResources", filter: ODataFilter.equals("dataAreaId", scope.dataAreaID),
                                  select: FromERPMapping.selectedFields["OperationsResources"]))
        queries.append(ODataQuery(entitySet: "Workers", filter: ODataFilter.equals("WorkerStatus", enumType: "HcmWorkerStatus", member: "Employed"),
                                  select: FromERPMapping.selectedFields["Workers"]))
        try await readConcurrently(queries, into: collected, onPage: onPage)
        return collected.withLock { $0 }
    }

    /// Reads `queries` with at most `concurrency` in flight, stopping at the first failure.
    func readConcurrently(_ queries: [ODataQuery], into collected: Collector, onPage: PageHandler?) async throws {
        let total = queries.count
        let done = Collector()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func launch() {
                guard next < queries.count else { return }
                let query = queries[next]
                next += 1
                group.addTask {
                    try await read(query, into: collected, onPage: onPage) { rows in
                        if query.entitySet == "Workers" {
                            let keys = rows.compactMap { $0["PersonnelNumber"]?.stringValue }
                            collected.withLock { $0.personKeys += keys }
                        }
                    }
                    let finished = done.withLock { result -> Int in
                        result.pages["queries", default: 0] += 1
                        return result.pages["queries"]!
                    }
                    progress.update("pulling from D365: \(finished)/\(total) queries")
                }
            }
            for _ in 0..<max(1, concurrency) { launch() }
            while try await group.next() != nil { launch() }
        }
        progress.finish()
    }

    /// Reads every page of `query` into `inbox/`, handing the rows to `inspect` first and the written page to `onPage`.
    func read(_ query: ODataQuery, into collected: Collector, onPage: PageHandler? = nil, inspect: ([JSONValue]) -> Void) async throws {
        var page = 0
        try await odata.readAll(query) { result in
            page += 1
            inspect(result.rows)
            let metadata = JSONObject([("query", .string(result.url)), ("page", .number(page))])
            // The rows' digests only where a transform waits for the page; a pull alone writes the file and goes on.
            let seed = onPage == nil ? nil : FromERPMapping.rowDigestSeed(entitySet: query.entitySet, scope: scope)
            let written = try writer.write(result.rows, kind: query.entitySet, nameKind: Self.inboxKinds[query.entitySet] ?? query.entitySet,
                                           schema: Envelope.inboxSchema, metadata: metadata, to: .inbox, digestingRecordsAfter: seed)
            collected.withLock {
                $0.pages[query.entitySet, default: 0] += 1
                $0.rows[query.entitySet, default: 0] += result.rows.count
            }
            await onPage?(Page(name: written.name, entitySet: query.entitySet, rows: result.rows, digests: written.recordDigests))
        }
    }
}
