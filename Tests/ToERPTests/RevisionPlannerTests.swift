import Foundation
import JSON
import Mapping
import StateStore
import Testing

@testable import Sync

/// The ledger rule behind revisions: what each revision still needs, given what D365 holds for the ticket.
struct RevisionPlannerTests {
    private func ticket(revision: Int, operation: Int, hours: Int, good: Int) throws -> Mapping.LaborTicket {
        try Mapping.LaborTicket(
            .object(
                JSONObject([
                    ("id", "lt_1"), ("revision", .number(revision)), ("workOrderNumber", "P1"), ("dataAreaId", "usmf"),
                    ("operationSequence", .number(operation)), ("operationPriority", "Primary"), ("resourceId", nil), ("personnelNumber", "000123"),
                    ("kind", "production"), ("startAt", "2026-11-20T08:00:00Z"),
                    ("endAt", .string("2026-11-20T\(8 + hours < 10 ? "0" : "")\(8 + hours):00:00Z")),
                    ("goodQuantity", .number(good)), ("badQuantity", 0), ("scrapReasonCode", nil), ("operationCompleted", false),
                ])))
    }

    private func write(revision: Int, part: StateDatabase.WritePart = .line, operation: Int, hours: Decimal, good: Decimal)
        -> StateDatabase.TicketWrite
    {
        .init(
            markerID: "lt_1", revision: revision, part: part, ticketID: "lt_1", entitySet: "RouteCardProductionJournalEntries",
            journalNumber: "JN-\(revision)\(part.rawValue)", lineNumber: "1", source: "run",
            line: .init(
                orderNumber: "P1", operation: operation, priority: "Primary", resourceID: "R\(operation)", consumptionDate: "2026-11-20T12:00:00Z",
                errorCause: "None", productionJobID: nil, personnelNumber: "000123", hours: hours, good: good, bad: 0))
    }

    @Test func aFirstRevisionIsOneFullLine() throws {
        let decision = RevisionPlanner.decide(try ticket(revision: 1, operation: 10, hours: 2, good: 40), writes: [])
        #expect(decision == .write(.init(line: LaborAmounts(hours: 2, good: 40, bad: 0), corrects: false, undo: nil)))
    }

    @Test func aRevisionOnTheSameOperationCarriesTheDifference() throws {
        let decision = RevisionPlanner.decide(
            try ticket(revision: 2, operation: 10, hours: 1, good: 50), writes: [write(revision: 1, operation: 10, hours: 2, good: 40)])
        #expect(decision == .write(.init(line: LaborAmounts(hours: -1, good: 10, bad: 0), corrects: true, undo: nil)))
    }

    @Test func aMoveIsAFullLineAndTheReversalOfTheOldOperation() throws {
        let old = write(revision: 1, operation: 10, hours: 2, good: 40)
        guard case .write(let plan) = RevisionPlanner.decide(try ticket(revision: 2, operation: 20, hours: 2, good: 40), writes: [old]) else {
            Issue.record("a move is written")
            return
        }
        #expect(plan.line == LaborAmounts(hours: 2, good: 40, bad: 0) && !plan.corrects)
        #expect(plan.undo?.copying == old.line && plan.undo?.amounts == LaborAmounts(hours: -2, good: -40, bad: 0))
    }

    @Test func aMoveBackAfterAMoveReversesOnlyWhatIsLeft() throws {
        let writes = [
            write(revision: 1, operation: 10, hours: 2, good: 40), write(revision: 2, operation: 20, hours: 2, good: 40),
            write(revision: 2, part: .undo, operation: 10, hours: -2, good: -40),
        ]
        guard case .write(let plan) = RevisionPlanner.decide(try ticket(revision: 3, operation: 10, hours: 3, good: 45), writes: writes) else {
            Issue.record("the move back is written")
            return
        }
        #expect(plan.line == LaborAmounts(hours: 3, good: 45, bad: 0), "operation 10 holds nothing after the first reversal")
        #expect(plan.undo?.copying.operation == 20 && plan.undo?.amounts == LaborAmounts(hours: -2, good: -40, bad: 0))
    }

    @Test func aHalfWrittenMoveNeedsOnlyItsMissingPartAndIsNotCompleteUntilThen() throws {
        let ticket = try ticket(revision: 2, operation: 20, hours: 2, good: 40)
        let lineOnly = [write(revision: 1, operation: 10, hours: 2, good: 40), write(revision: 2, operation: 20, hours: 2, good: 40)]
        guard case .write(let plan) = RevisionPlanner.decide(ticket, writes: lineOnly) else {
            Issue.record("the reversal is missing")
            return
        }
        #expect(plan.line == nil && plan.undo?.amounts == LaborAmounts(hours: -2, good: -40, bad: 0))
        #expect(RevisionPlanner.newestComplete(lineOnly)?.revision == nil, "revision 2 is not exported while operation 10 still holds its labor")
        let both = lineOnly + [write(revision: 2, part: .undo, operation: 10, hours: -2, good: -40)]
        #expect(RevisionPlanner.decide(ticket, writes: both) == .complete)
        #expect(RevisionPlanner.newestComplete(both)?.revision == 2)
    }

    @Test func anOlderRevisionThanD365HoldsWaits() throws {
        let decision = RevisionPlanner.decide(
            try ticket(revision: 1, operation: 10, hours: 2, good: 40), writes: [write(revision: 2, operation: 10, hours: 2, good: 40)])
        guard case .wait(let reason) = decision else {
            Issue.record("\(decision)")
            return
        }
        #expect(reason.contains("revision 2"))
    }
}
