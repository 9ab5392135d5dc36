import D365
import Foundation
import Hashing
import JSON
import Logging
import Mapping
import Spool
import Synchronization
import Vocabulary

/// Pulls the from-ERP entities from D365 into the page store (`pages/`), each distinct page once.
struct FromERPPuller: Sendable {
    /// What the pull saw: for finding what left the synchronised set, and for the run's page list.
    struct Result {
        var workOrderKeys: [String] = []
        var personKeys: [String] = []
        /// Every page read, in the order the reads finished; a page's number in the run is its place here.
        var entries: [PageList.Entry] = []
        /// How many pages were new to the store (the others were kept already, intact).
        var pagesWritten = 0
    }

    let odata: ODataClient
    let pageStore: PageStore
    let scope: FromERPMapping.Scope
    let concurrency: Int
    /// Open orders are read this many at a time (`$top`/`$skip`, by number): D365's own pages hold up to 10,000 rows,
    /// and the largest page read sets a run's peak memory.
    let orderWindow: Int
    let logger: Logger
    let progress: Progress

    /// A page as kept in `pages/`, with its rows' digests (``Envelope/recordDigests(of:)``), which come with its checksum.
    struct Page: Sendable {
        /// Its place among the run's pages (``Result/entries``).
        let number: Int
        let entry: PageList.Entry
        let rows: [JSONValue]
        let digests: [SHA256Bytes]
    }

    /// Called with each page once it is in `pages/`, from the task that read it.
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
    /// once; the first failure stops them all, and what was read before it stays in `collected`.
    func pull(into collected: Collector, onPage: PageHandler? = nil) async throws -> Result {
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

    /// Reads every page of `query` into `pages/`, handing the rows to `inspect` first and the kept page to `onPage`.
    func read(_ query: ODataQuery, into collected: Collector, onPage: PageHandler? = nil, inspect: ([JSONValue]) -> Void) async throws {
        var pageNumber = 0
        try await odata.readAll(query) { result in
            pageNumber += 1
            inspect(result.rows)
            let page = StoredPage(records: result.rows)
            let keeping = try await pageStore.keepOffTaskPool(page)
            if case .repaired(let damage) = keeping {
                logger.warning("\(pageStore.path(of: page.address)) was damaged (\(damage)); it now holds the rows D365 returned again")
            }
            let entry = PageList.Entry(
                entitySet: query.entitySet.name, query: result.url, page: pageNumber, rows: result.rows.count, address: page.address)
            let number = collected.withLock {
                if keeping != .alreadyKept { $0.pagesWritten += 1 }
                $0.entries.append(entry)
                return $0.entries.count - 1
            }
            await onPage?(Page(number: number, entry: entry, rows: result.rows, digests: page.recordDigests))
        }
    }
}
