import Foundation
import Simulator
import TestSupport
import Testing

/// A `SIGKILL` at each step of the write path, then further runs: every valid ticket ends in D365 exactly once,
/// acknowledged, posted; nothing is left in the spool's working folders.
///
/// The debug build dies where `D365MM_DEBUG_CRASH_AT` says (see `CrashPoint`).
struct ToERPCrashTests {
    static let writePath = [
        "to-erp.reconciled",  // before anything is written
        "to-erp.pulled",  // a page of tickets in inbox/, nothing transformed
        "to-erp.transformed",  // journals in outbound/, the inbox page not yet retired
        "to-erp.batch-sending",  // right before the $batch
        "to-erp.batch-answered",  // D365 committed every journal; nothing recorded here
        "to-erp.journal-recorded@1",  // inside the transaction that records the answer: none of it is kept
        "to-erp.journal-recorded@20",
        "to-erp.journals-recorded",  // the whole answer recorded; the file still in outbound/, without its receipt
        "to-erp.acknowledged",  // MachineMetrics told; the state database does not know it
        "to-erp.posting-answered",  // journals posted; the state database does not know it
    ]

    @Test(arguments: writePath)
    func aKillAtEachStepLeavesEveryTicketInD365ExactlyOnce(crashPoint: String) async throws {
        try await withToERPConnector(extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"]) {
            (harness: ConnectorHarness) async throws in
            let pending = harness.session.simulator.laborTickets().filter(\.isPending)
            let killed = try await harness.run(["run", "to-erp"], changing: ["D365MM_DEBUG_CRASH_AT": crashPoint])
            #expect(killed.killedBySignal && killed.status == SIGKILL, "the run died at \(crashPoint): \(killed.status) \(killed.standardError)")
            let recovery = try await harness.run(["run", "to-erp"])
            #expect([0, 2].contains(recovery.status), "\(recovery.standardError)")
            let settled = try await harness.run(["run", "to-erp"])
            #expect(settled.status == 0, "\(settled.standardError)")
            try expectEachTicketOnce(harness, pending: pending.map(\.id))
        }
    }

    /// A revision that moves labor needs two journals; a kill while or after recording them still leaves one of each.
    @Test(arguments: ["to-erp.batch-answered", "to-erp.journal-recorded@1", "to-erp.journals-recorded", "to-erp.acknowledged"])
    func aKillWhileWritingAMovedRevisionLeavesOneLineAndOneReversal(crashPoint: String) async throws {
        try await withToERPConnector { (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "to-erp"])
            let simulator = harness.session.simulator
            let operations = simulator.table("ProductionOrderRouteOperations")
            let target = simulator.laborTickets().lazy.filter { $0.exportedRevision == 1 }.compactMap { ticket -> (String, Int)? in
                let other = (0..<operations.count).first { row in
                    operations.string(row: row, "dataAreaId") == "usmf"
                        && operations.string(row: row, "ProductionOrderNumber") == ticket.workOrderNumber
                        && operations.value(row: row, "OperationPriority") == .member(EnumTypes.routeOprPriority.index(of: ticket.operationPriority)!)
                        && operations.value(row: row, "OperationNumber") != .integer(Int64(ticket.operationSequence))
                }
                guard let other, case .integer(let number) = operations.value(row: other, "OperationNumber") else { return nil }
                return (ticket.id, Int(number))
            }.first
            let (id, operation) = try #require(target)
            try simulator.reviseLaborTicket(id: id) { $0.operationSequence = operation }
            let killed = try await harness.run(["run", "to-erp"], changing: ["D365MM_DEBUG_CRASH_AT": crashPoint])
            #expect(killed.killedBySignal, "\(killed.standardError)")
            #expect(try await harness.run(["run", "to-erp"]).status == 0)
            let lines = harness.journalLinesByMarker()
            #expect(lines["\(id) r1"] == 1 && lines["\(id) r2"] == 1 && lines["\(id) r2-undo"] == 1, "\(lines.filter { $0.key.hasPrefix(id) })")
            #expect(simulator.laborTickets().first { $0.id == id }?.exportedRevision == 2)
        }
    }

    /// Both directions share the spool folders: a from-erp run leaves the journals a killed to-erp run queued alone.
    @Test func aFromERPRunBetweenLeavesToERPsQueuedJournalsForIt() async throws {
        try await withToERPConnector { (harness: ConnectorHarness) async throws in
            let pending = harness.session.simulator.laborTickets().filter(\.isPending)
            let killed = try await harness.run(["run", "to-erp"], changing: ["D365MM_DEBUG_CRASH_AT": "to-erp.batch-sending"])
            #expect(killed.killedBySignal)
            let queued = harness.files("outbound")
            #expect(!queued.isEmpty && queued.allSatisfy { $0.contains("_to-erp_") })
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(harness.files("outbound") == queued, "from-erp did not send them")
            #expect(harness.files("failed").allSatisfy { $0.contains("_failed-ticket_") }, "nor fail them: \(harness.files("failed"))")
            #expect([0, 2].contains(try await harness.run(["run", "to-erp"]).status))
            try expectEachTicketOnce(harness, pending: pending.map(\.id), posted: false)
        }
    }

    private func expectEachTicketOnce(_ harness: ConnectorHarness, pending: [String], posted: Bool = true) throws {
        let tickets = harness.session.simulator.laborTickets()
        let exported = tickets.filter { $0.exportedRevision == 1 }
        let failed = tickets.filter { $0.exportedRevision == nil && $0.failedRevision == 1 }
        #expect(Set(exported.map(\.id)).union(failed.map(\.id)) == Set(pending), "every ticket answered")
        #expect(exported.count > failed.count && !failed.isEmpty)
        let lines = harness.journalLinesByMarker()
        #expect(Set(lines.keys) == Set(exported.map { "\($0.id) r1" }), "a line for each exported ticket and for nothing else")
        #expect(lines.values.allSatisfy { $0 == 1 }, "never twice: \(lines.filter { $0.value > 1 })")
        let table = harness.session.simulator.table("RouteCardProductionJournalEntries")
        let unposted = (0..<table.count).filter {
            table.string(row: $0, "JournalDescription").hasPrefix("MM-LT ") && table.value(row: $0, "IsPosted") != .member(1)
        }
        #expect(!posted || unposted.isEmpty, "every journal posted")
        for folder in ["tmp", "inbox", "outbound"] {
            #expect(harness.files(folder).isEmpty, "\(folder)/ holds \(harness.files(folder))")
        }
    }
}
