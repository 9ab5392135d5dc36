import Foundation
import Simulator
import TestSupport
import Testing

struct DataSetTests {
    private func fingerprint(_ simulator: Simulator) -> [String] {
        ["ProductionOrderHeaders", "ProductionOrderRouteOperations", "Workers", "ReleasedProductsV2"].map { name in
            let table = simulator.table(name)
            return (0..<table.count).map { row in
                (0..<table.definition.fields.count).map { "\(table.value(row: row, field: $0))" }.joined(separator: "|")
            }
            .joined(separator: "\n")
        } + simulator.laborTickets().map { "\($0)" }
    }

    @Test func theSameSeedGivesTheSameWorldAndAnotherSeedAnother() async throws {
        let date = ISO8601DateFormatter().date(from: "2026-11-21T00:00:00Z")!
        let first = try await withSimulator({
            $0.dataSet.seed = 7
            $0.dataSet.referenceDate = date
        }) { fingerprint($0.simulator) }
        let second = try await withSimulator({
            $0.dataSet.seed = 7
            $0.dataSet.referenceDate = date
        }) { fingerprint($0.simulator) }
        let other = try await withSimulator({
            $0.dataSet.seed = 8
            $0.dataSet.referenceDate = date
        }) { fingerprint($0.simulator) }
        #expect(first == second)
        #expect(first != other)
    }

    @Test func theWorldHasOrdersInEveryStatusAndRowsOutsideTheConfiguredScope() async throws {
        try await withSimulator({ $0.dataSet.orders = 400 }) { session in
            let orders = session.simulator.table("ProductionOrderHeaders")
            #expect(orders.count == 400)
            var statuses = Set<String>()
            var places = Set<String>()
            for row in 0..<orders.count {
                if case .member(let status) = orders.value(row: row, "ProductionOrderStatus") {
                    statuses.insert(EnumTypes.prodStatus.members[status].name)
                }
                places.insert(orders.string(row: row, "dataAreaId") + "/" + orders.string(row: row, "ProductionSiteId"))
            }
            #expect(statuses == Set(EnumTypes.prodStatus.members.map(\.name)))
            #expect(places == ["usmf/1", "usmf/2", "ussi/1", "dat/1"])
            let operations = session.simulator.table("ProductionOrderRouteOperations")
            var perOrder: [String: Set<Int64>] = [:]
            for row in 0..<operations.count {
                if case .integer(let number) = operations.value(row: row, "OperationNumber") {
                    perOrder[operations.string(row: row, "dataAreaId") + "/" + operations.string(row: row, "ProductionOrderNumber"), default: []]
                        .insert(number)
                }
            }
            #expect(perOrder.count == 400)
            #expect(perOrder.values.allSatisfy { (1...8).contains($0.count) })
            let workers = session.simulator.table("Workers")
            let workerStatuses = Set((0..<workers.count).map { "\(workers.value(row: $0, "WorkerStatus"))" })
            #expect(workerStatuses.count == 3, "employed, terminated and pending workers")
            #expect(session.simulator.table("ProductionOrderRouteJobs").count > 0)
            #expect(session.simulator.table("RouteCardProductionJournalEntries").count > 0)
            #expect(session.simulator.laborTickets().count == 100)
        }
    }
}
