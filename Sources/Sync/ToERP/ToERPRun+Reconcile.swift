import D365
import Foundation
import JSON
import Mapping
import StateStore

extension ToERPRun {
    /// Brings the state database in line with the journals in D365 that carry this connector's markers within the
    /// reconciliation window: writes it did not record are recorded (and so never written again), posting done by
    /// D365 is noted, and recorded journals that D365 no longer has are reported.
    func reconcile(_ report: inout RunReport) async throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let since = formatter.string(from: Date().addingTimeInterval(-options.reconciliationWindow)) + "T00:00:00Z"
        let filter = ODataFilter.allOf([
            ODataFilter.equals("dataAreaId", options.dataAreaID), ODataFilter.equals("JournalDescription", "MM-LT *"),
            "ConsumptionDate ge \(since)",
        ])
        var fields = [
            "JournalNumber", "JournalLineNumber", "JournalDescription", "IsPosted", "ProductionOrderNumber", "RouteOperationNumber",
            "RouteOperationPriority", "OperationsResourceId", "RegisteredHours", "ReportedGoodInventoryQuantity",
            "ReportedErrorInventoryQuantity", "ConsumptionDate", "ErrorCause",
        ]
        if options.journalKind == .job { fields.append("ProductionJobId") }
        var found: [StateDatabase.TicketWrite] = []
        var postedJournals = Set<String>()
        try await odata.readAll(ODataQuery(entitySet: options.entitySet, filter: filter, select: fields)) { page in
            for row in page.rows {
                guard let description = row["JournalDescription"]?.stringValue, let marker = ToERPMapping.parseMarker(description),
                    let journal = row["JournalNumber"]?.stringValue, let line = row["JournalLineNumber"]?.decimalValue
                else { continue }
                let posted = row["IsPosted"]?.stringValue == "Yes"
                if posted { postedJournals.insert(journal) }
                // A plain marker names the ticket; a hashed one is matched to its ticket when a pull shows it.
                found.append(
                    .init(
                        markerID: marker.markerID, revision: marker.revision, part: marker.undo ? .undo : .line,
                        ticketID: marker.markerID.hasPrefix("#") ? nil : marker.markerID, entitySet: options.entitySet.name,
                        journalNumber: journal, lineNumber: JSONNumberText.format(line), source: "reconciliation", posted: posted,
                        line: Self.writtenLine(of: row)))
            }
        }
        var recovered = 0
        for write in found where try database.recordTicketWrite(write) { recovered += 1 }
        if recovered > 0 {
            logger.notice(
                "reconciliation found \(recovered) labor ticket journal(s) in D365 that were not recorded here; they will not be written again")
            report.add(.journalsFoundByReconciliation, recovered)
        }
        for journal in Set(try database.unpostedTicketWrites().map(\.journalNumber)).intersection(postedJournals) {
            try database.markPosting(journalNumber: journal, error: nil)
        }
        try reportMissingJournals(found: found, since: since, &report)
    }

    /// Journals recorded here whose lines D365 no longer has (deleted by someone in D365): their labor is not in D365.
    private func reportMissingJournals(found: [StateDatabase.TicketWrite], since: String, _ report: inout RunReport) throws {
        let present = Set(found.map { "\($0.markerID) \($0.revision) \($0.part.rawValue)" })
        let missing = try database.ticketWrites(consumedSince: since).filter {
            $0.entitySet == options.entitySet.name && !present.contains("\($0.markerID) \($0.revision) \($0.part.rawValue)")
        }
        guard !missing.isEmpty else { return }
        for write in missing.prefix(5) {
            logger.warning(
                "journal \(write.journalNumber) (labor ticket \(write.ticketID ?? write.markerID) r\(write.revision)) was written to D365 but is no longer there; its labor is missing from D365 unless it was entered again by hand"
            )
        }
        report.add(.journalsMissingFromD365, missing.count)
    }

    /// Where a journal line (as D365 answers it, or as written) put labor, how much, and what a reversal must copy. The
    /// personnel number is `personnelNumber` when known, else the word after the marker in the description (which a
    /// line found in D365 has only when it fitted).
    static func writtenLine(of line: JSONValue, personnelNumber: String? = nil) -> StateDatabase.WrittenLine? {
        guard let order = line["ProductionOrderNumber"]?.stringValue, let operation = line["RouteOperationNumber"]?.intValue,
            let priority = line["RouteOperationPriority"]?.stringValue, let hours = line["RegisteredHours"]?.decimalValue,
            let good = line["ReportedGoodInventoryQuantity"]?.decimalValue, let bad = line["ReportedErrorInventoryQuantity"]?.decimalValue
        else { return nil }
        // The personnel number follows the marker in the description.
        let words = line["JournalDescription"]?.stringValue?.split(separator: " ") ?? []
        return StateDatabase.WrittenLine(
            orderNumber: order, operation: operation, priority: priority, resourceID: line["OperationsResourceId"]?.stringValue,
            consumptionDate: line["ConsumptionDate"]?.stringValue, errorCause: line["ErrorCause"]?.stringValue,
            productionJobID: line["ProductionJobId"]?.stringValue,
            personnelNumber: personnelNumber ?? (words.count > 3 ? String(words[3]) : nil),
            hours: hours, good: good, bad: bad)
    }
}
