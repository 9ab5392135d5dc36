import Foundation
import HTTP
import JSON
import Simulator
import TestSupport
import Testing

@testable import StateStore

/// Posting mode `batch_job`, and the import of D365's own labor into MachineMetrics.
struct PostingAndImportTests {
    @Test func batchJobModeReportsJournalsStillUnpostedAfterADayUntilD365PostsThem() async throws {
        try await withToERPConnector(extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "batch_job"]) {
            (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "to-erp"])
            #expect(try await harness.run(["run", "to-erp"]).status == 0, "journals written today are not overdue")
            // A day and more passes without D365's batch posting running.
            let database = try StateDatabase(path: harness.spoolDirectory + "/state.sqlite")
            try database.connection.run("UPDATE ticket_writes SET written_at = written_at - 90000")
            let overdue = try await harness.run(["run", "to-erp"])
            #expect(overdue.status == 2, "\(overdue.standardError)")
            #expect(overdue.standardError.contains("still unposted") && overdue.standardError.contains("batch posting"))
            #expect(overdue.standardError.contains("journals unposted for over a day"))
            // Once D365 posts them, reconciliation sees it and the report stops.
            #expect(harness.session.simulator.runBatchPosting() > 0)
            let posted = try await harness.run(["run", "to-erp"])
            #expect(posted.status == 0, "\(posted.standardError)")
            #expect(try database.unpostedTicketWrites().isEmpty)
        }
    }

    @Test func theImportSendsPostedD365LaborOfTheSiteOnceAndNeverTheConnectorsOwn() async throws {
        try await withToERPConnector(extra: ["WRITE_LTS_TO_D365": "true", "IMPORT_LTS_TO_MM": "true", "D365_JOURNAL_POSTING_MODE": "action"]) {
            (harness: ConnectorHarness) async throws in
            let simulator = harness.session.simulator
            #expect(try await harness.run(["run", "from-erp"]).status == 0, "MachineMetrics learns the work orders first")
            let first = try await harness.run(["run", "to-erp"])
            #expect(first.status == 2, "invalid tickets: \(first.standardError)")
            let imported = simulator.receivedRecords("labor-tickets")
            #expect(Set(imported.keys) == expectedImport(simulator), "the posted lines of the site, by key")
            #expect(!imported.isEmpty && imported.values.allSatisfy { $0.timesReceived == 1 })
            let sample = try #require(imported.values.first?.object)
            #expect(
                sample["posted"] as? Bool == true && sample["personnelNumber"] is NSNull
                    && (sample["operationKey"] as? String)?.hasPrefix("usmf/") == true)

            let puts = simulator.requestLog.count(service: .mm, method: "PUT", path: "labor-tickets")
            #expect(try await harness.run(["run", "to-erp"]).status == 0)
            #expect(simulator.requestLog.count(service: .mm, method: "PUT", path: "labor-tickets") == puts, "nothing new, nothing sent")

            // Someone enters feedback in D365 by hand and D365's batch posting posts it: that line, and only it, goes next.
            let order = try #require(simulator.laborTickets().first { $0.exportedRevision == 1 })
            let body = JSONEncoding.bytes(
                .object(
                    JSONObject([
                        ("dataAreaId", "usmf"), ("ProductionOrderNumber", .string(order.workOrderNumber)),
                        ("RouteOperationNumber", .number(order.operationSequence)),
                        ("RouteOperationPriority", .string(order.operationPriority)), ("RegisteredHours", .number("1.5")),
                        ("ReportedGoodInventoryQuantity", 12),
                        ("ReportedErrorInventoryQuantity", 0), ("JournalDescription", "Shift feedback"),
                    ])))
            let entered = try await harness.session.send(
                .json(
                    method: "POST", url: harness.session.odataURL("RouteCardProductionJournalEntries", [("cross-company", "true")]),
                    headers: [("Authorization", "Bearer \(try await harness.session.d365Token())")], body: body))
            #expect(entered.status == 201)
            #expect(simulator.runBatchPosting() > 0)
            #expect(try await harness.run(["run", "to-erp"]).status == 0)
            let after = simulator.receivedRecords("labor-tickets")
            #expect(Set(after.keys) == expectedImport(simulator))
            #expect(after.count == imported.count + 1 && after.values.allSatisfy { $0.timesReceived == 1 }, "each line once")
        }
    }

    @Test func theImportAloneRunsWithoutWriteBack() async throws {
        try await withToERPConnector(extra: ["IMPORT_LTS_TO_MM": "true"]) { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let result = try await harness.run(["run", "to-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(Set(harness.session.simulator.receivedRecords("labor-tickets").keys) == expectedImport(harness.session.simulator))
            #expect(harness.session.simulator.requestLog.count(service: .mm, path: "labor-tickets/pending") == 0, "no tickets are pulled")
        }
    }

    /// The keys the import must send: posted lines of usmf site 1 not written by the connector, on orders MachineMetrics has.
    private func expectedImport(_ simulator: Simulator) -> Set<String> {
        let known = Set(simulator.receivedRecords("work-orders").keys)
        let table = simulator.table("RouteCardProductionJournalEntries")
        var keys = Set<String>()
        for row in 0..<table.count
        where table.string(row: row, "dataAreaId") == "usmf" && table.string(row: row, "ProductionSiteId") == "1"
            && table.value(row: row, "IsPosted") == .member(1) && !table.string(row: row, "JournalDescription").hasPrefix("MM-LT ")
        {
            guard known.contains("usmf/\(table.string(row: row, "ProductionOrderNumber"))") else { continue }
            keys.insert("usmf/\(table.string(row: row, "JournalNumber"))/1")
        }
        return keys
    }
}
