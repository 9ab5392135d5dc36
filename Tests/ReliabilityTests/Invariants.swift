import Foundation
import Simulator
import TestSupport
import Testing

@testable import StateStore

/// What must hold after any sequence of faults, kills and further runs has settled: nothing lost, nothing twice.
enum Invariants {
    /// Checks every invariant; returns the problems found (empty when all hold).
    static func problems(_ harness: ConnectorHarness) -> [String] {
        var problems: [String] = []
        let simulator = harness.session.simulator
        // Every in-scope record is in MachineMetrics, and nothing out of scope.
        for (collection, keys) in ExpectedFromERP(simulator).byCollection {
            let received = Set(simulator.receivedRecords(collection).keys)
            if received != keys {
                problems.append("\(collection): \(keys.subtracting(received).count) missing, \(received.subtracting(keys).count) out of scope")
            }
        }
        // Every closed labor ticket (open ones do not wait for the ERP) is answered; each exported revision is in D365 exactly once; nothing else carries a marker.
        var lines: [String: Int] = [:]
        let table = simulator.table("RouteCardProductionJournalEntries")
        for row in 0..<table.count {
            let words = table.string(row: row, "JournalDescription").split(separator: " ")
            if words.count >= 3, words[0] == "MM-LT" { lines["\(words[1]) \(words[2])", default: 0] += 1 }
        }
        for (marker, count) in lines where count > 1 { problems.append("\(marker) is in D365 \(count) times") }
        for ticket in simulator.laborTickets() where ticket.closed {
            if let exported = ticket.exportedRevision {
                if lines["\(ticket.id) r\(exported)"] != 1 { problems.append("\(ticket.id) r\(exported) is exported but not in D365 once") }
            } else if ticket.failedRevision == nil {
                problems.append("\(ticket.id) is neither exported nor failed")
            }
        }
        let exportedRevisions = Dictionary(simulator.laborTickets().compactMap { ticket in ticket.exportedRevision.map { (ticket.id, $0) } }) { $1 }
        for marker in lines.keys {
            let words = marker.split(separator: " ")
            let revision = Int(words[1].dropFirst().prefix { $0.isNumber }) ?? 0
            if (exportedRevisions[String(words[0])] ?? 0) < revision { problems.append("\(marker) is in D365 but MachineMetrics was not told") }
        }
        problems += ledgerProblems(simulator, table: table)
        // Nothing is left half-way in the spool.
        for folder in ["tmp", "inbox", "outbound"] where !harness.files(folder).isEmpty {
            problems.append("\(folder)/ still holds \(harness.files(folder))")
        }
        // The state database is sound and knows what MachineMetrics accepted.
        do {
            let database = try StateDatabase(path: harness.spoolDirectory + "/state.sqlite")
            let integrity = try database.connection.query("PRAGMA integrity_check").first?.first?.text
            if integrity != "ok" { problems.append("state.sqlite integrity: \(integrity ?? "?")") }
            for collection in ["work-orders", "operations", "parts", "resources", "persons"] {
                let known =
                    try database.connection.query("SELECT count(*) FROM record_hashes WHERE collection = ?", [.text(collection)]).first?.first?
                    .integer ?? 0
                let received = simulator.receivedRecords(collection).count
                if known != received { problems.append("state.sqlite knows \(known) accepted \(collection), MachineMetrics holds \(received)") }
            }
        } catch {
            problems.append("state.sqlite cannot be read: \(error)")
        }
        return problems
    }

    /// Each exported ticket's lines add up to its newest revision on its operation, and to nothing anywhere else.
    static func ledgerProblems(_ simulator: Simulator, table: Table) -> [String] {
        var sums: [String: [String: (good: Int64, bad: Int64)]] = [:]
        for row in 0..<table.count {
            let words = table.string(row: row, "JournalDescription").split(separator: " ")
            guard words.count >= 3, words[0] == "MM-LT", case .integer(let operation) = table.value(row: row, "RouteOperationNumber"),
                case .decimal(let good) = table.value(row: row, "ReportedGoodInventoryQuantity"),
                case .decimal(let bad) = table.value(row: row, "ReportedErrorInventoryQuantity")
            else { continue }
            let place = "\(table.string(row: row, "ProductionOrderNumber"))/\(operation)"
            let current = sums[String(words[1]), default: [:]][place] ?? (0, 0)
            sums[String(words[1]), default: [:]][place] = (current.good + good, current.bad + bad)
        }
        var problems: [String] = []
        for ticket in simulator.laborTickets() where ticket.exportedRevision == ticket.revision {
            let here = "\(ticket.workOrderNumber)/\(ticket.operationSequence)"
            for (place, sum) in sums[ticket.id] ?? [:] {
                let expected: (Int64, Int64) = place == here ? (ticket.goodQuantity, ticket.badQuantity) : (0, 0)
                if sum.good != expected.0 || sum.bad != expected.1 {
                    problems.append("\(ticket.id) r\(ticket.revision): D365 holds \(sum) on \(place), expected \(expected)")
                }
            }
        }
        return problems
    }

    /// Runs both directions until a round needs no more work (at most `rounds` times).
    static func settle(_ harness: ConnectorHarness, rounds: Int = 3) async throws {
        for _ in 0..<rounds {
            let from = try await harness.run(["run", "from-erp"])
            let to = try await harness.run(["run", "to-erp"])
            if from.status == 0 && to.status == 0 { return }
        }
    }
}
