import Foundation
import Simulator
import TestSupport
import Testing

/// A seeded loop that mixes changes in D365 and MachineMetrics, remote faults and kills across both directions,
/// and checks every invariant after each step. The seed is printed; `D365MM_TEST_SEED=N` replays a run.
/// `scripts/test` runs a few rounds; `scripts/test --full` (D365MM_TEST_FULL=1) runs many more.
struct RandomisedRunTests {
    static let faults = [
        "service=d365,path=ProductionOrderRouteOperations,status=429,retry-after=1,times=2",
        "service=d365,path=ProductionOrderHeaders,status=500,times=2",
        "service=d365,path=Workers,not-json,times=1",
        "service=d365,path=OperationsResources,truncate,times=1",
        "service=d365,method=POST,path=$batch,lose-answer,times=1",
        "service=d365,method=POST,path=$batch,status=503,retry-after=1,times=1",
        "service=mm,path=/v1/erp/,status=503,retry-after=1,times=3",
        "service=mm,path=/v1/erp/operations,hang-up,times=1",
        "service=mm,path=acknowledgements,hang-up,times=1",
        "service=entra,expire-tokens,after=3,times=1",
        "service=mm,path=/v1/erp/,status=503,times=always",
        "service=mm,method=PUT,path=/v1/erp/work-orders,slow=7,times=1",
        "service=d365,path=ProductionOrderRouteOperations,loop-next-link,times=1",
    ]

    @Test func randomFaultsKillsAndChangesNeverLoseOrDoubleAnything() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["D365MM_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...999_999)
        let rounds = environment["D365MM_TEST_FULL"] == "1" ? 40 : 4
        print("randomised runs: seed \(seed), \(rounds) rounds (replay with D365MM_TEST_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        try await withConnector(orders: 60, laborTickets: 20, extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"]) {
            (harness: ConnectorHarness) async throws in
            let simulator = harness.session.simulator
            for round in 1...rounds {
                var steps: [String] = []
                // Operators revise tickets: more parts, or the labor moved to another operation of the order.
                for ticket in simulator.laborTickets().filter({ $0.closed && $0.exportedRevision != nil }).shuffled(using: &random).prefix(2) {
                    let operations = simulator.table("ProductionOrderRouteOperations")
                    let others = (0..<operations.count).filter {
                        operations.string(row: $0, "dataAreaId") == ticket.dataAreaId
                            && operations.string(row: $0, "ProductionOrderNumber") == ticket.workOrderNumber
                            && operations.value(row: $0, "OperationPriority")
                                == .member(EnumTypes.routeOprPriority.index(of: ticket.operationPriority)!)
                    }.compactMap { row -> Int? in
                        if case .integer(let number) = operations.value(row: row, "OperationNumber") { Int(number) } else { nil }
                    }
                    if Bool.random(using: &random), let target = others.filter({ $0 != ticket.operationSequence }).randomElement(using: &random) {
                        try simulator.reviseLaborTicket(id: ticket.id) { $0.operationSequence = target }
                        steps.append("moved \(ticket.id) to operation \(target)")
                    } else {
                        try simulator.reviseLaborTicket(id: ticket.id) { $0.goodQuantity += 1_000_000 * Int64.random(in: -2...5, using: &random) }
                        steps.append("revised \(ticket.id)")
                    }
                }
                let fault = Self.faults.randomElement(using: &random)!
                simulator.addFaults([try FaultRule(parsing: fault)])
                steps.append("fault \(fault)")
                let crash =
                    Bool.random(using: &random) ? CrashPointTests.crashPoints.filter { !$0.hasPrefix("archive.") }.randomElement(using: &random) : nil
                steps.append("kill at \(crash ?? "nothing")")
                for direction in ["from-erp", "to-erp"].shuffled(using: &random) {
                    let result = try await harness.run(["run", direction], changing: ["D365MM_DEBUG_CRASH_AT": crash])
                    steps.append("\(direction) \(result.killedBySignal ? "killed" : "exit \(result.status)")")
                    #expect(
                        result.killedBySignal || [0, 1, 2, 75].contains(result.status),
                        "seed \(seed) round \(round): \(steps) \(result.standardError)")
                    #expect(harness.leakedSecrets(in: [result.standardOutput, result.standardError]).isEmpty, "seed \(seed) round \(round)")
                }
                simulator.clearFaults()
                try await Invariants.settle(harness)
                let problems = Invariants.problems(harness)
                #expect(problems.isEmpty, "seed \(seed) round \(round) after \(steps): \(problems)")
                if !problems.isEmpty { return }
            }
            #expect(harness.leakedSecrets(in: [harness.spoolText()]).isEmpty, "seed \(seed): a secret in the spool")
        }
    }
}
