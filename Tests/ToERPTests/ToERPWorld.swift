import Foundation
import Simulator
import TestSupport

/// A simulated world for to-erp tests: 160 orders and 48 pending labor tickets (some deliberately unwritable), and a
/// connector with write-back on.
func withToERPConnector(
    _ configure: (inout SimulatorOptions) -> Void = { _ in }, extra: [String: String] = ["WRITE_LTS_TO_D365": "true"],
    _ body: (ConnectorHarness) async throws -> Void
) async throws {
    try await withConnector(orders: 160, laborTickets: 48, configure: configure, extra: extra, body)
}

extension ConnectorHarness {
    /// Journal lines in D365 per marker (`<ticket id> r<revision>[-undo]`).
    func journalLinesByMarker(entitySet: String = "RouteCardProductionJournalEntries") -> [String: Int] {
        let table = session.simulator.table(entitySet)
        var counts: [String: Int] = [:]
        for row in 0..<table.count {
            let words = table.string(row: row, "JournalDescription").split(separator: " ")
            guard words.count >= 3, words[0] == "MM-LT" else { continue }
            counts["\(words[1]) \(words[2])", default: 0] += 1
        }
        return counts
    }
}
