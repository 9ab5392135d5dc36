import Foundation
import Simulator
import Testing
import TestSupport

/// `d365mm run to-erp`, the built binary, against the simulator on loopback.
struct ToERPRunTests {
    func withConnector(_ configure: (inout SimulatorOptions) -> Void = { _ in }, extra: [String: String] = ["WRITE_LTS_TO_D365": "true"],
                       _ body: (ConnectorHarness) async throws -> Void) async throws {
        try await withSimulator({ options in
            options.dataSet.orders = 160
            options.dataSet.laborTickets = 48
            configure(&options)
        }) { session in
            try await withTemporaryDirectory { directory in
                try await body(ConnectorHarness(session: session, spoolDirectory: directory + "/spool", extra: extra))
            }
        }
    }

    /// Journal lines in D365 per marker (`MM-LT <id> r<revision>`).
    private func linesByMarker(_ harness: ConnectorHarness, entitySet: String = "RouteCardProductionJournalEntries") -> [String: Int] {
        let table = harness.session.simulator.table(entitySet)
        var counts: [String: Int] = [:]
        for row in 0..<table.count {
            let words = table.string(row: row, "JournalDescription").split(separator: " ")
            guard words.count >= 3, words[0] == "MM-LT" else { continue }
            counts["\(words[1]) \(words[2])", default: 0] += 1
        }
        return counts
    }

    @Test func withWriteBackOffTheCommandSaysSoAndDoesNothing() async throws {
        try await withConnector(extra: [:]) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 0)
            #expect(result.standardOutput.contains("WRITE_LTS_TO_D365") && result.standardOutput.contains("nothing to do"))
            #expect(harness.session.simulator.requestLog.entries.isEmpty)
        }
    }

    @Test func everyValidTicketIsWrittenOnceAndInvalidOnesFailWithAMessage() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            let pending = harness.session.simulator.laborTickets().filter(\.isPending)
            let first = try await harness.run(["run", "to-erp"])
            #expect(first.status == 2, "invalid tickets need an operator: \(first.standardError)")
            let tickets = harness.session.simulator.laborTickets()
            let exported = tickets.filter { $0.exportedRevision == 1 }
            let failed = tickets.filter { $0.failedRevision == 1 && $0.exportedRevision == nil }
            #expect(!exported.isEmpty && !failed.isEmpty)
            #expect(Set(exported.map(\.id)).union(failed.map(\.id)) == Set(pending.map(\.id)), "every pending ticket is answered")
            let lines = linesByMarker(harness)
            #expect(lines.count == exported.count && lines.values.allSatisfy { $0 == 1 }, "one journal line per exported ticket")
            for ticket in exported {
                #expect(lines["\(ticket.id) r1"] == 1)
                #expect(ticket.erpReference?.hasPrefix("usmf/JN-") == true)
            }
            #expect(failed.allSatisfy { ($0.failureMessage ?? "").count > 10 })
            #expect(failed.contains { $0.failureMessage?.contains("not found in D365") == true })
            #expect(harness.files("failed").filter { $0.hasSuffix(".error.json") }.count == failed.count)

            let acknowledgements = harness.session.simulator.acknowledgements().count
            let second = try await harness.run(["run", "to-erp"])
            #expect(second.status == 0, "known failures alone do not need the operator again")
            #expect(linesByMarker(harness) == lines, "a second run writes nothing")
            #expect(harness.session.simulator.acknowledgements().count == acknowledgements, "and repeats no acknowledgement")
            #expect(harness.leakedSecrets(in: [first.standardError, second.standardError, harness.spoolText()]).isEmpty)
        }
    }

    @Test func aCommittedWriteWhoseAnswerIsLostIsNotWrittenAgain() async throws {
        try await withConnector({ $0.faults = [FaultRule(service: .d365, method: "POST", path: "$batch", action: .loseAnswer, times: 1)] }) { (harness: ConnectorHarness) async throws in
            let first = try await harness.run(["run", "to-erp"])
            #expect(first.status == 75, "\(first.standardError)")
            #expect(first.standardError.contains("reconciliation"))
            let written = linesByMarker(harness)
            #expect(!written.isEmpty, "D365 committed the batch")
            #expect(harness.session.simulator.laborTickets().allSatisfy { $0.exportedRevision == nil }, "but nothing was acknowledged")
            let second = try await harness.run(["run", "to-erp"])
            #expect(second.status == 2 || second.status == 0, "\(second.standardError)")
            #expect(second.standardError.contains("reconciliation found"))
            let lines = linesByMarker(harness)
            #expect(lines == written, "nothing was written twice")
            #expect(lines.values.allSatisfy { $0 == 1 })
            let exported = harness.session.simulator.laborTickets().filter { $0.exportedRevision == 1 }
            #expect(Set(exported.map { "\($0.id) r1" }) == Set(lines.keys), "and every write is acknowledged")
        }
    }

    @Test func postingModeActionLeavesTheJournalsPosted() async throws {
        try await withConnector(extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"]) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 2)
            let table = harness.session.simulator.table("RouteCardProductionJournalEntries")
            let connectorRows = (0..<table.count).filter { table.string(row: $0, "JournalDescription").hasPrefix("MM-LT ") }
            #expect(!connectorRows.isEmpty)
            #expect(connectorRows.allSatisfy { table.value(row: $0, "IsPosted") == .member(1) })
        }
    }

    @Test func aHigherRevisionIsWrittenAsOneCorrectingJournalHoldingTheDifference() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "to-erp"])
            let ticket = try #require(harness.session.simulator.laborTickets().first { $0.exportedRevision == 1 && $0.goodQuantity >= 2_000_000 })
            // Revision 2: two fewer good parts, an hour longer.
            try harness.session.simulator.reviseLaborTicket(id: ticket.id) {
                $0.goodQuantity -= 2_000_000
                $0.endAt += 3600
            }
            let second = try await harness.run(["run", "to-erp"])
            #expect(second.status == 0, "\(second.standardError)")
            let lines = linesByMarker(harness)
            #expect(lines["\(ticket.id) r1"] == 1 && lines["\(ticket.id) r2"] == 1, "one correcting journal, no second copy")
            let table = harness.session.simulator.table("RouteCardProductionJournalEntries")
            let rows = (0..<table.count).filter { table.string(row: $0, "JournalDescription").hasPrefix("MM-LT \(ticket.id) ") }
            var hours: Int64 = 0, good: Int64 = 0
            for row in rows {
                if case .decimal(let value) = table.value(row: row, "RegisteredHours") { hours += value }
                if case .decimal(let value) = table.value(row: row, "ReportedGoodInventoryQuantity") { good += value }
            }
            let correcting = try #require(rows.first { table.string(row: $0, "JournalDescription").contains(" r2") })
            #expect(table.value(row: correcting, "ReportedGoodInventoryQuantity") == .decimal(-2_000_000), "negative where it shrank")
            #expect(table.value(row: correcting, "RegisteredHours") == .decimal(1_000_000))
            #expect(good == ticket.goodQuantity - 2_000_000, "the lines add up to the newest revision")
            let newestHours = Decimal(ticket.endAt + 3600 - ticket.startAt) / 3600
            #expect(Decimal(hours) / 1_000_000 == (newestHours * 1_000_000).rounded6 / 1_000_000)
            let revised = try #require(harness.session.simulator.laborTickets().first { $0.id == ticket.id })
            #expect(revised.exportedRevision == 2)
            #expect(try await harness.run(["run", "to-erp"]).status == 0)
            #expect(linesByMarker(harness) == lines)
        }
    }

    @Test func aRevisionThatMovesLaborToAnotherOperationIsNeverWrittenAsASecondCopy() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "to-erp"])
            let ticket = try #require(harness.session.simulator.laborTickets().first { $0.exportedRevision == 1 })
            try harness.session.simulator.reviseLaborTicket(id: ticket.id) { $0.operationSequence += 10 }
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.standardError.contains(ticket.id) && result.standardError.contains("left pending"))
            let lines = linesByMarker(harness)
            #expect(lines["\(ticket.id) r1"] == 1 && lines["\(ticket.id) r2"] == nil)
        }
    }

    @Test func jobJournalsCarryTheRouteJobOfTheTicketsKind() async throws {
        try await withConnector(extra: ["WRITE_LTS_TO_D365": "true", "JOB_OR_OPERATION_JOURNALS": "job"]) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 2, "\(result.standardError)")
            #expect(result.standardError.contains("job (has job scheduling run for the order?)"), "orders without route jobs are named")
            #expect(linesByMarker(harness).isEmpty, "nothing goes to route card journals")
            let lines = linesByMarker(harness, entitySet: "JobCardProductionJournalEntries")
            #expect(!lines.isEmpty && lines.values.allSatisfy { $0 == 1 })
            let journals = harness.session.simulator.table("JobCardProductionJournalEntries")
            let jobs = harness.session.simulator.table("ProductionOrderRouteJobs")
            let tickets = Dictionary(uniqueKeysWithValues: harness.session.simulator.laborTickets().map { ($0.id, $0) })
            for row in 0..<journals.count {
                let words = journals.string(row: row, "JournalDescription").split(separator: " ")
                guard words.count >= 3, words[0] == "MM-LT", let ticket = tickets[String(words[1])] else { continue }
                let jobRow = try #require(jobs.row(key: [.string("usmf"), journals.value(row: row, "ProductionJobId")]))
                let type = jobs.value(row: jobRow, "RouteJobType")
                #expect(type == .member(EnumTypes.routeJobType.index(of: ticket.kind == "setup" ? "Setup" : "Process")!))
                #expect(jobs.string(row: jobRow, "ProductionOrderNumber") == ticket.workOrderNumber)
                #expect(jobs.value(row: jobRow, "OperationNumber") == .integer(Int64(ticket.operationSequence)))
            }
        }
    }
}

extension Decimal {
    /// Rounded half to even to whole millionths (the input is in millionths).
    var rounded6: Decimal {
        var input = self
        var result = Decimal()
        NSDecimalRound(&result, &input, 0, .bankers)
        return result
    }
}
