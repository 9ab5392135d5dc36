import D365
import Foundation
import JSON
import Simulator
import TestSupport
import Testing
import Vocabulary

/// Many reads to one `$batch`, against the simulator on loopback: the same rows as reading one by one, in far
/// fewer requests, and nothing lost when the batch is refused or a read has more pages.
struct BatchedReadTests {
    private func client(_ session: SimulatorSession) -> ODataClient {
        let parts = D365TestClients(session)
        return ODataClient(environmentURL: parts.environmentURL, tokens: parts.tokens, client: parts.client, concurrency: 2, logger: parts.logger)
    }

    /// A read per order of usmf, then the workers.
    private func queries(_ session: SimulatorSession, orders: Int) -> [ODataQuery] {
        let table = session.simulator.table("ProductionOrderHeaders")
        let numbers = (0..<table.count).filter { table.string(row: $0, "dataAreaId") == "usmf" }.prefix(orders).map {
            table.string(row: $0, "ProductionOrderNumber")
        }
        return numbers.map { number in
            ODataQuery(
                entitySet: .routeOperations,
                filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", "usmf"), ODataFilter.equals("ProductionOrderNumber", number)]),
                select: ["ProductionOrderNumber", "OperationNumber"])
        } + [ODataQuery(entitySet: .workers, select: ["PersonnelNumber"])]
    }

    private func rowsOneByOne(_ client: ODataClient, _ queries: [ODataQuery]) async throws -> [[String]] {
        var result: [[String]] = []
        for query in queries {
            var rows: [String] = []
            try await client.readAll(query) { page in rows += page.rows.map { JSONEncoding.string($0) } }
            result.append(rows)
        }
        return result
    }

    private func rowsBatched(_ client: ODataClient, _ queries: [ODataQuery]) async throws -> [[String]] {
        var result = [[String]](repeating: [], count: queries.count)
        try await client.readBatched(queries) { index, page in result[index] += page.rows.map { JSONEncoding.string($0) } }
        return result
    }

    @Test func aBatchGivesEachReadItsRowsInFarFewerRequests() async throws {
        try await withSimulator({ $0.pageSize = 20 }) { session in
            let client = client(session)
            let queries = queries(session, orders: 150)
            let expected = try await rowsOneByOne(client, queries)
            let before = session.simulator.requestLog.count(service: .d365)
            let batched = try await rowsBatched(client, queries)
            let requests = session.simulator.requestLog.count(service: .d365) - before
            #expect(batched == expected)
            #expect(expected.last!.count > 20, "the workers need more than one page")
            // 151 reads: two batches, plus the workers' further pages read on their own.
            #expect(requests == 2 + (expected.last!.count - 1) / 20, "\(requests) requests")
        }
    }

    @Test func aRefusedBatchIsReadOneByOne() async throws {
        try await withSimulator { session in
            let client = client(session)
            let queries = queries(session, orders: 5)
            let expected = try await rowsOneByOne(client, queries)
            session.simulator.addFaults([try FaultRule(parsing: "service=d365,path=$batch,status=400,times=always")])
            #expect(try await rowsBatched(client, queries) == expected)
            #expect(session.simulator.faultsFired() == [1], "the batch was sent, refused, and not sent again")
        }
    }

    @Test func aMissingPrivilegeInsideTheBatchNamesTheEntity() async throws {
        try await withSimulator({ $0.missingPrivileges = ["HcmWorkerEntityView"] }) { session in
            do {
                _ = try await rowsBatched(client(session), queries(session, orders: 3))
                Issue.record("the read went through without the privilege")
            } catch let error as D365Error {
                #expect(error.category == .authentication)
                #expect(error.status == 403)
                #expect(String(describing: error).contains("Workers"), "\(error)")
            }
        }
    }
}
