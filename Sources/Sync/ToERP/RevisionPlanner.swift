import Foundation
import Mapping
import StateStore

/// Where labor is booked: a production order's route operation.
struct LaborLocation: Hashable, Sendable {
    let order: String
    let operation: Int
    let priority: String

    init(order: String, operation: Int, priority: String) {
        // F&O compares these case-insensitively.
        self.order = order.lowercased()
        self.operation = operation
        self.priority = priority.lowercased()
    }

    init(_ line: StateDatabase.WrittenLine) { self.init(order: line.orderNumber, operation: line.operation, priority: line.priority) }
    init(_ ticket: LaborTicket) { self.init(order: ticket.workOrderNumber, operation: ticket.operationSequence, priority: ticket.operationPriority) }
}

/// Hours and quantities, as a journal line carries them.
struct LaborAmounts: Equatable, Sendable {
    var hours: Decimal = 0
    var good: Decimal = 0
    var bad: Decimal = 0

    var isZero: Bool { hours == 0 && good == 0 && bad == 0 }

    init(hours: Decimal, good: Decimal, bad: Decimal) {
        self.hours = hours
        self.good = good
        self.bad = bad
    }

    init(_ line: StateDatabase.WrittenLine) { self.init(hours: line.hours, good: line.good, bad: line.bad) }
    init(_ ticket: LaborTicket) {
        self.init(hours: ToERPMapping.hours(from: ticket.startAt, to: ticket.endAt), good: ticket.goodQuantity, bad: ticket.badQuantity)
    }

    static let zero = LaborAmounts(hours: 0, good: 0, bad: 0)
    static func + (left: Self, right: Self) -> Self {
        .init(hours: left.hours + right.hours, good: left.good + right.good, bad: left.bad + right.bad)
    }
    static func - (left: Self, right: Self) -> Self {
        .init(hours: left.hours - right.hours, good: left.good - right.good, bad: left.bad - right.bad)
    }
}

/// What a ticket revision still needs in D365, worked out from what the ticket's journals already hold there.
///
/// The ledger rule: once revision r is complete, the ticket's lines of revisions ≤ r add up to r's amounts on r's
/// order and operation, and to zero everywhere else. A revision on the same operation is one correcting line (the
/// difference); one that moves the labor is a full line plus the reversal of what the old operation holds.
enum RevisionPlanner {
    /// The reversal of what earlier revisions left on an operation the labor moved away from.
    struct Reversal: Equatable {
        /// The old line it copies (order, operation, resource, date, error cause, worker).
        let copying: StateDatabase.WrittenLine
        /// What brings the old operation to zero.
        let amounts: LaborAmounts
    }

    struct Plan: Equatable {
        /// What the revision's own line must carry; `nil` when it is in D365 already.
        var line: LaborAmounts?
        /// Whether the line corrects earlier lines on the same operation rather than being the first there.
        var corrects: Bool
        /// The reversal still to write.
        var undo: Reversal?
    }

    enum Decision: Equatable {
        /// Every journal of the revision is in D365.
        case complete
        case write(Plan)
        /// It cannot be written exactly; the reason says why.
        case wait(String)
    }

    /// `writes`: every journal of the ticket in D365, any revision and part.
    static func decide(_ ticket: LaborTicket, writes: [StateDatabase.TicketWrite]) -> Decision {
        if let newer = writes.map(\.revision).max(), newer > ticket.revision {
            return .wait("D365 already holds revision \(newer) of this ticket")
        }
        let current = writes.filter { $0.revision == ticket.revision }
        let hasLine = current.contains { $0.part == .line }
        let hasUndo = current.contains { $0.part == .undo }
        let earlier = writes.filter { $0.revision < ticket.revision }
        guard let balances = balances(earlier) else {
            return .wait("the amounts of an earlier journal of this ticket are not known here")
        }
        let here = LaborLocation(ticket)
        let elsewhere = balances.filter { $0.key != here && !$0.value.amounts.isZero }
        guard elsewhere.count <= 1 else {
            return .wait("its earlier revisions left labor on \(elsewhere.count) other operations")
        }
        var plan = Plan(line: nil, corrects: false, undo: nil)
        if !hasLine {
            let already = balances[here]?.amounts ?? .zero
            plan.line = LaborAmounts(ticket) - already
            plan.corrects = balances[here] != nil
        }
        if let old = elsewhere.first?.value, !hasUndo {
            plan.undo = Reversal(copying: old.last, amounts: .zero - old.amounts)
        }
        return plan.line == nil && plan.undo == nil ? .complete : .write(plan)
    }

    /// The newest revision whose journals are all in D365, by the ledger rule; `nil` when none is.
    static func newestComplete(_ writes: [StateDatabase.TicketWrite]) -> StateDatabase.TicketWrite? {
        let lines = writes.filter { $0.part == .line }.sorted { $0.revision > $1.revision }
        guard let newest = lines.first else { return nil }
        // A revision whose amounts are not known here cannot be checked; its own line being there is all we can tell.
        guard let line = newest.line, let balances = balances(writes.filter { $0.revision <= newest.revision }) else { return newest }
        let here = LaborLocation(line)
        return balances.allSatisfy { $0.key == here || $0.value.amounts.isZero } ? newest : nil
    }

    /// Per operation, the sum of the lines there and the latest of them; `nil` when a line's amounts are unknown.
    private static func balances(_ writes: [StateDatabase.TicketWrite]) -> [LaborLocation: (amounts: LaborAmounts, last: StateDatabase.WrittenLine)]?
    {
        var result: [LaborLocation: (amounts: LaborAmounts, last: StateDatabase.WrittenLine)] = [:]
        for write in writes.sorted(by: { $0.revision < $1.revision }) {
            guard let line = write.line else { return nil }
            let location = LaborLocation(line)
            let sum = (result[location]?.amounts ?? .zero) + LaborAmounts(line)
            // The reversal copies a real line, not an earlier reversal.
            let last = write.part == .line ? line : (result[location]?.last ?? line)
            result[location] = (sum, last)
        }
        return result
    }
}
