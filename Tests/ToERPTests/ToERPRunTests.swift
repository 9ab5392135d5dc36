import Foundation
import Simulator
import TestSupport
import Testing

import enum Mapping.ToERPMapping

/// `d365mm run to-erp`, the built binary, against the simulator on loopback.
struct ToERPRunTests {
    @Test func withWriteBackOffTheCommandSaysSoAndDoesNothing() async throws {
        try await withToERPConnector(extra: [:]) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 0)
            #expect(result.standardOutput.contains("WRITE_LTS_TO_D365") && result.standardOutput.contains("nothing to do"))
            #expect(harness.session.simulator.requestLog.entries.isEmpty)
        }
    }

    @Test func everyValidTicketIsWrittenOnceAndInvalidOnesFailWithAMessage() async throws {
        try await withToERPConnector { (harness: ConnectorHarness) async throws in
            let pending = harness.session.simulator.laborTickets().filter(\.isPending)
            let first = try await harness.run(["run", "to-erp"])
            #expect(first.status == 2, "invalid tickets need an operator: \(first.standardError)")
            let tickets = harness.session.simulator.laborTickets()
            let exported = tickets.filter { $0.exportedRevision == 1 }
            let failed = tickets.filter { $0.failedRevision == 1 && $0.exportedRevision == nil }
            #expect(!exported.isEmpty && !failed.isEmpty)
            #expect(Set(exported.map(\.id)).union(failed.map(\.id)) == Set(pending.map(\.id)), "every pending ticket is answered")
            let lines = harness.journalLinesByMarker()
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
            #expect(harness.journalLinesByMarker() == lines, "a second run writes nothing")
            #expect(harness.session.simulator.acknowledgements().count == acknowledgements, "and repeats no acknowledgement")
            #expect(harness.leakedSecrets(in: [first.standardError, second.standardError, harness.spoolText()]).isEmpty)
        }
    }

    @Test func aCommittedWriteWhoseAnswerIsLostIsNotWrittenAgain() async throws {
        // The first $batch reads the tickets' orders, operations and workers; the second writes the journals.
        try await withToERPConnector({
            $0.faults = [FaultRule(service: .d365, method: "POST", path: "$batch", action: .loseAnswer, after: 1, times: 1)]
        }) { (harness: ConnectorHarness) async throws in
            let first = try await harness.run(["run", "to-erp"])
            #expect(first.status == 75, "\(first.standardError)")
            #expect(first.standardError.contains("reconciliation"))
            let written = harness.journalLinesByMarker()
            #expect(!written.isEmpty, "D365 committed the batch")
            #expect(harness.session.simulator.laborTickets().allSatisfy { $0.exportedRevision == nil }, "but nothing was acknowledged")
            let second = try await harness.run(["run", "to-erp"])
            #expect(second.status == 2 || second.status == 0, "\(second.standardError)")
            #expect(second.standardError.contains("reconciliation found"))
            let lines = harness.journalLinesByMarker()
            #expect(lines == written, "nothing was written twice")
            #expect(lines.values.allSatisfy { $0 == 1 })
            let exported = harness.session.simulator.laborTickets().filter { $0.exportedRevision == 1 }
            #expect(Set(exported.map { "\($0.id) r1" }) == Set(lines.keys), "and every write is acknowledged")
        }
    }

    @Test func postingModeActionLeavesTheJournalsPosted() async throws {
        try await withToERPConnector(extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"]) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 2)
            let table = harness.session.simulator.table("RouteCardProductionJournalEntries")
            let connectorRows = (0..<table.count).filter { table.string(row: $0, "JournalDescription").hasPrefix("MM-LT ") }
            #expect(!connectorRows.isEmpty)
            #expect(connectorRows.allSatisfy { table.value(row: $0, "IsPosted") == .member(1) })
        }
    }

    @Test func aHigherRevisionIsWrittenAsOneCorrectingJournalHoldingTheDifference() async throws {
        try await withToERPConnector { (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "to-erp"])
            let ticket = try #require(harness.session.simulator.laborTickets().first { $0.exportedRevision == 1 && $0.goodQuantity >= 2_000_000 })
            // Revision 2: two fewer good parts, an hour longer.
            try harness.session.simulator.reviseLaborTicket(id: ticket.id) {
                $0.goodQuantity -= 2_000_000
                $0.endAt += 3600
            }
            let second = try await harness.run(["run", "to-erp"])
            #expect(second.status == 0, "\(second.standardError)")
            let lines = harness.journalLinesByMarker()
            #expect(lines["\(ticket.id) r1"] == 1 && lines["\(ticket.id) r2"] == 1, "one correcting journal, no second copy")
            let table = harness.session.simulator.table("RouteCardProductionJournalEntries")
            let rows = (0..<table.count).filter { table.string(row: $0, "JournalDescription").hasPrefix("MM-LT \(ticket.id) ") }
            var hours: Int64 = 0
            var good: Int64 = 0
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
            #expect(harness.journalLinesByMarker() == lines)
        }
    }

    @Test func aRevisionThatMovesLaborToAnotherOperationIsANewLineAndTheReversalOfTheOldOne() async throws {
        try await withToERPConnector { (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "to-erp"])
            let simulator = harness.session.simulator
            let operations = simulator.table("ProductionOrderRouteOperations")
            // An exported ticket whose order has another operation to move to.
            var move: (ticket: LaborTicket, operation: Int)?
            for ticket in simulator.laborTickets() where ticket.exportedRevision == 1 && move == nil {
                for row in 0..<operations.count
                where operations.string(row: row, "ProductionOrderNumber") == ticket.workOrderNumber
                    && operations.string(row: row, "dataAreaId") == "usmf"
                    && operations.value(row: row, "OperationPriority") == .member(EnumTypes.routeOprPriority.index(of: ticket.operationPriority)!)
                {
                    if case .integer(let number) = operations.value(row: row, "OperationNumber"), number != ticket.operationSequence {
                        move = (ticket, Int(number))
                        break
                    }
                }
            }
            let (ticket, newOperation) = try #require(move)
            try simulator.reviseLaborTicket(id: ticket.id) { $0.operationSequence = newOperation }
            let second = try await harness.run(["run", "to-erp"])
            #expect(second.status == 0, "\(second.standardError)")
            let lines = harness.journalLinesByMarker()
            #expect(lines["\(ticket.id) r1"] == 1 && lines["\(ticket.id) r2"] == 1 && lines["\(ticket.id) r2-undo"] == 1)
            // What D365 holds for the ticket, per operation: nothing left on the old one, all of it on the new one.
            let table = simulator.table("RouteCardProductionJournalEntries")
            var goodByOperation: [Int64: Int64] = [:]
            var hoursByOperation: [Int64: Int64] = [:]
            for row in 0..<table.count where table.string(row: row, "JournalDescription").hasPrefix("MM-LT \(ticket.id) ") {
                guard case .integer(let operation) = table.value(row: row, "RouteOperationNumber"),
                    case .decimal(let good) = table.value(row: row, "ReportedGoodInventoryQuantity"),
                    case .decimal(let hours) = table.value(row: row, "RegisteredHours")
                else { continue }
                goodByOperation[operation, default: 0] += good
                hoursByOperation[operation, default: 0] += hours
            }
            #expect(goodByOperation[Int64(ticket.operationSequence)] == 0 && hoursByOperation[Int64(ticket.operationSequence)] == 0)
            #expect(goodByOperation[Int64(newOperation)] == ticket.goodQuantity)
            let undo = try #require((0..<table.count).first { table.string(row: $0, "JournalDescription").hasPrefix("MM-LT \(ticket.id) r2-undo") })
            #expect(table.value(row: undo, "IsOperationCompleted") == .member(0))
            #expect(table.string(row: undo, "JournalDescription").hasSuffix(" \(ticket.personnelNumber ?? "?")"), "the old line's worker")
            let revised = try #require(simulator.laborTickets().first { $0.id == ticket.id })
            #expect(revised.exportedRevision == 2)
            let newLine = try #require((0..<table.count).first { table.string(row: $0, "JournalDescription").hasPrefix("MM-LT \(ticket.id) r2 ") })
            #expect(revised.erpReference == "usmf/\(table.string(row: newLine, "JournalNumber"))/1", "the reference names the new line")
            #expect(try await harness.run(["run", "to-erp"]).status == 0)
            #expect(harness.journalLinesByMarker() == lines, "and nothing more")
        }
    }

    /// A ticket id of 51 characters makes `MM-LT <id> r2` exactly 60, so its line has no room for the worker; the reversal
    /// of that line, `MM-LT <id> r3-undo`, is too long, so it carries the hashed id, and then the worker fits again.
    @Test func aReversalUnderAHashedIdCarriesTheOldLinesWorkerAtTheSixtyCharacterBoundary() async throws {
        try await withToERPConnector { (harness: ConnectorHarness) async throws in
            let simulator = harness.session.simulator
            // Lengthened ids keep the tickets' order (the simulator finds them by it); a few, as some tickets are unwritable.
            var longIDs: [String] = []
            for ticket in simulator.laborTickets().filter({ !$0.closed || $0.exportedRevision == nil }).prefix(8) {
                let longID = ticket.id + String(repeating: "x", count: 51 - ticket.id.count)
                try simulator.reviseLaborTicket(id: ticket.id) { $0.id = longID }
                longIDs.append(longID)
            }
            #expect(longIDs.allSatisfy { "MM-LT \($0) r2".count == ToERPMapping.descriptionLength })
            _ = try await harness.run(["run", "to-erp"])
            let operations = simulator.table("ProductionOrderRouteOperations")
            var move: (ticket: LaborTicket, operation: Int)?
            for ticket in simulator.laborTickets()
            where longIDs.contains(ticket.id) && ticket.exportedRevision == 2 && ticket.personnelNumber != nil && move == nil {
                for row in 0..<operations.count
                where operations.string(row: row, "ProductionOrderNumber") == ticket.workOrderNumber
                    && operations.string(row: row, "dataAreaId") == "usmf"
                    && operations.value(row: row, "OperationPriority") == .member(EnumTypes.routeOprPriority.index(of: ticket.operationPriority)!)
                {
                    if case .integer(let number) = operations.value(row: row, "OperationNumber"), number != ticket.operationSequence {
                        move = (ticket, Int(number))
                    }
                }
            }
            let (ticket, newOperation) = try #require(move, "a written ticket with a long id and another operation to move to")
            let table = simulator.table("RouteCardProductionJournalEntries")
            #expect((0..<table.count).contains { table.string(row: $0, "JournalDescription") == "MM-LT \(ticket.id) r2" }, "the worker did not fit")
            try simulator.reviseLaborTicket(id: ticket.id) { $0.operationSequence = newOperation }
            let moved = try await harness.run(["run", "to-erp"])
            #expect([0, 2].contains(moved.status), "\(moved.standardError)")
            let hashed = ToERPMapping.markerID(ticketID: ticket.id, suffix: "r3-undo")
            #expect(hashed.hasPrefix("#"))
            let after = simulator.table("RouteCardProductionJournalEntries")
            let descriptions = (0..<after.count).map { after.string(row: $0, "JournalDescription") }
            let expected = "MM-LT \(hashed) r3-undo \(ticket.personnelNumber!)"
            #expect(descriptions.contains(expected), "\(expected) among \(descriptions.filter { $0.contains(hashed) || $0.contains(ticket.id) })")
        }
    }

    @Test func jobJournalsCarryTheRouteJobOfTheTicketsKind() async throws {
        try await withToERPConnector(extra: ["WRITE_LTS_TO_D365": "true", "JOB_OR_OPERATION_JOURNALS": "job"]) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 2, "\(result.standardError)")
            #expect(result.standardError.contains("job (has job scheduling run for the order?)"), "orders without route jobs are named")
            #expect(harness.journalLinesByMarker().isEmpty, "nothing goes to route card journals")
            let lines = harness.journalLinesByMarker(entitySet: "JobCardProductionJournalEntries")
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
