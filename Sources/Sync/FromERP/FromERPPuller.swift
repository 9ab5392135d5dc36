import D365
import Foundation
import Hashing
import JSON
import Logging
import Mapping
import Spool
import Synchronization
import Vocabulary

/// Pulls the from-ERP entities from D365 into `inbox/`, a page per file.
struct FromERPPuller: Sendable {
    /// What the pull saw, for finding what left the synchronised set.
    struct Result {
        var workOrderKeys: [String] = []
        var personKeys: [String] = []
        var pages: [EntitySet: Int] = [:]
        var rows: [EntitySet: Int] = [:]
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

    /// A page as written to `inbox/`, with its rows' digests (``Envelope/recordDigests(of:)``), which come with the file's checksum.
    struct Page: Sendable {
        let name: String
        let entitySet: EntitySet
        let rows: [JSONValue]
        let digests: [SHA256Bytes]
    }

    /// Called with each page once it is in `inbox/`, from the task that read it.
    typealias PageHandler = @Sendable (Page) async -> Void

    /// Gathers what concurrent reads saw.
    final class Collector: Sendable {
        let state = Mutex(Result())
        func withLock<T: Sendable>(_ body: (inout Result) -> T) -> T { state.withLock { value in body(&value) } }
    }

    /// What a read learnt that decides the reads after it.
    private enum Finding: Sendable {
        /// A window of open orders: their numbers and items, and whether it was full (more may follow).
        case window(skip: Int, orderNumbers: [String], itemNumbers: [String], full: Bool)
        case done
    }

    /// Reads the open orders a window at a time and, while the next window is read, the route operations of the
    /// orders already read; then the items they make, the resources and the workers. At most `concurrency` reads at
    /// once; the first failure stops them all.
    func pull(onPage: PageHandler? = nil) async throws -> Result {
        let collected = Collector()
        var orderNumbers: [String] = []
        var itemNumbers = Set<String>()
        var nextWindow: Int? = 0
        var queries = [
            ODataQuery(pulling: .resources, filter: ODataFilter.equals("dataAreaId", scope.dataAreaID)),
            ODataQuery(pulling: .workers, filter: ODataFilter.equals("WorkerStatus", enumType: "HcmWorkerStatus", member: "Employed")),
        ]
        var nextQuery = 0
        try await withThrowingTaskGroup(of: Finding.self) { group in
            // The next window first: the reads after it depend on it.
            func launchNext() -> Bool {
                if let skip = nextWindow {
                    nextWindow = nil
                    group.addTask { try await readWindow(skip: skip, into: collected, onPage: onPage) }
                } else if nextQuery < queries.count {
                    let query = queries[nextQuery]
                    nextQuery += 1
                    group.addTask {
                        try await read(query, into: collected, onPage: onPage) { rows in
                            guard query.entitySet == .workers else { return }
                            let keys = rows.compactMap { $0["PersonnelNumber"]?.stringValue }
                            collected.withLock { $0.personKeys += keys }
                        }
                        return .done
                    }
                } else {
                    return false
                }
                return true
            }
            var running = 0
            var finished = 0
            while running < max(1, concurrency), launchNext() { running += 1 }
            while let finding = try await group.next() {
                running -= 1
                finished += 1
                if case .window(let skip, let numbers, let items, let full) = finding {
                    orderNumbers += numbers
                    itemNumbers.formUnion(items)
                    queries += self.queries(of: .routeOperations, whose: "ProductionOrderNumber", isOneOf: numbers)
                    if full {
                        nextWindow = skip + orderWindow
                    } else {
                        logger.info("D365 has \(orderNumbers.count) open production orders for \(scope.dataAreaID) site \(scope.siteID)")
                        queries += self.queries(of: .releasedProducts, whose: "ItemNumber", isOneOf: itemNumbers.sorted())
                    }
                }
                progress.update("pulling from D365", done: finished, of: finished + running + queries.count - nextQuery, "queries")
                while running < max(1, concurrency), launchNext() { running += 1 }
            }
        }
        progress.finish()
        return collected.withLock { result in
            result.workOrderKeys = orderNumbers.map { FromERPMapping.workOrderKey(dataAreaID: scope.dataAreaID, number: $0) }
            return result
        }
    }

    /// Reads one window of open orders, by number: `$top` orders after the first `skip`.
    private func readWindow(skip: Int, into collected: Collector, onPage: PageHandler?) async throws -> Finding {
        var window = ODataQuery(
            pulling: .productionOrders,
            filter: ODataFilter.allOf([
                ODataFilter.equals("dataAreaId", scope.dataAreaID), ODataFilter.equals("ProductionSiteId", scope.siteID),
                ODataFilter.anyOf(
                    FromERPMapping.openStatuses.map { ODataFilter.equals("ProductionOrderStatus", enumType: "ProdStatus", member: $0) }),
            ]))
        window.orderBy = "ProductionOrderNumber"
        window.top = orderWindow
        window.skip = skip > 0 ? skip : nil
        var numbers: [String] = []
        var items: [String] = []
        var rows = 0
        try await read(window, into: collected, onPage: onPage) { page in
            rows += page.count
            for row in page {
                guard let number = row["ProductionOrderNumber"]?.stringValue else { continue }
                numbers.append(number)
                if let item = row["ItemNumber"]?.stringValue, !item.isEmpty { items.append(item) }
            }
        }
        // Fewer rows: that was the last window. More: the server ignored $top and sent everything.
        return .window(skip: skip, orderNumbers: numbers, itemNumbers: items, full: rows == orderWindow)
    }

    /// Reads of `entitySet`'s rows of this legal entity whose `field` is one of `keys`, a filter's worth of keys each.
    private func queries(of entitySet: EntitySet, whose field: String, isOneOf keys: [String]) -> [ODataQuery] {
        keys.chunked(keysPerFilter).map { chunk in
            ODataQuery(
                pulling: entitySet,
                filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", scope.dataAreaID), ODataFilter.equalsAny(field, chunk)]))
        }
    }

    /// Reads every page of `query` into `inbox/`, handing the rows to `inspect` first and the written page to `onPage`.
    func read(_ query: ODataQuery, into collected: Collector, onPage: PageHandler? = nil, inspect: ([JSONValue]) -> Void) async throws {
        var page = 0
        try await odata.readAll(query) { result in
            page += 1
            inspect(result.rows)
            let metadata = JSONObject([("query", .string(result.url)), ("page", .number(page))])
            let written = try await writer.writeOffTaskPool(
                result.rows, kind: query.entitySet.name, nameKind: query.entitySet.inboxKind,
                schema: Envelope.inboxSchema, metadata: metadata, to: .inbox)
            collected.withLock {
                $0.pages[query.entitySet, default: 0] += 1
                $0.rows[query.entitySet, default: 0] += result.rows.count
            }
            await onPage?(Page(name: written.name, entitySet: query.entitySet, rows: result.rows, digests: written.recordDigests))
        }
    }
}
