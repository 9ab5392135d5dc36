import Foundation
import JSON
import Mapping
import Spool
import StateStore
import Vocabulary

/// One outbound entry: a journal to write for a ticket revision, its own line or the reversal of an old one.
struct OutboundJournal {
    let ticketID: String
    let revision: Int
    let markerID: String
    let part: StateDatabase.WritePart
    let line: JSONObject
    /// The worker the line is for, kept here as well: its description drops it when the ticket id fills the field, and
    /// a later reversal of the line needs it.
    let personnelNumber: String?

    init(ticketID: String, revision: Int, part: StateDatabase.WritePart, line: JSONObject, personnelNumber: String?) {
        self.ticketID = ticketID
        self.revision = revision
        markerID = ToERPMapping.markerID(ticketID: ticketID, suffix: "r\(revision)\(part == .undo ? "-undo" : "")")
        self.part = part
        self.line = line
        self.personnelNumber = personnelNumber
    }

    init?(_ entry: JSONValue) {
        guard let markerID = entry["markerId"]?.stringValue, let revision = entry["revision"]?.intValue, let line = entry["line"]?.objectValue else {
            return nil
        }
        ticketID = entry["ticketId"]?.stringValue ?? markerID
        self.revision = revision
        self.markerID = markerID
        // Entries written before reversals existed have no part: they are lines.
        part = entry["part"]?.stringValue.flatMap(StateDatabase.WritePart.init(rawValue:)) ?? .line
        self.line = line
        personnelNumber = entry["personnelNumber"]?.stringValue
    }

    var json: JSONValue {
        var entry = JSONObject([
            ("ticketId", .string(ticketID)), ("revision", .number(revision)), ("markerId", .string(markerID)),
            ("part", .string(part.rawValue)), ("line", .object(line)),
        ])
        if let personnelNumber { entry["personnelNumber"] = .string(personnelNumber) }
        return .object(entry)
    }

    /// The marker id the revision's failures are recorded under (its line's, whichever part failed).
    var revisionMarkerID: String { ToERPMapping.markerID(ticketID: ticketID, suffix: "r\(revision)") }
}

extension ToERPRun {
    /// Plans each ticket revision against what D365 holds for the ticket, checks it against D365's master data and
    /// writes the journals it still needs to `outbound/`; a revision's journals always share a file (one `$batch`).
    func transform(_ tickets: [(ticket: LaborTicket, raw: JSONValue)], _ report: inout RunReport) async throws {
        var planned: [(ticket: LaborTicket, raw: JSONValue, plan: RevisionPlanner.Plan)] = []
        try database.transaction {
            for (ticket, raw) in tickets {
                let markerIDs = ToERPMapping.markerIDs(ticketID: ticket.id)
                try database.recordTicketID(ticket.id, markerIDs: markerIDs)
                switch RevisionPlanner.decide(ticket, writes: try database.ticketWrites(markerIDs: markerIDs)) {
                case .complete:
                    continue  // in D365 already; only its acknowledgement may be missing
                case .wait(let reason):
                    logger.warning("labor ticket \(ticket.id) revision \(ticket.revision) is left pending: \(reason)")
                    report.add(.ticketRevisionsLeftPending)
                case .write(let plan):
                    planned.append((ticket, raw, plan))
                }
            }
        }
        guard !planned.isEmpty else { return }
        let needingChecks = planned.filter { $0.plan.line != nil }.map(\.ticket)
        let master = try await ToERPMasterData.load(
            for: needingChecks, dataAreaID: options.dataAreaID, withJobs: options.journalKind == .job, odata: odata)
        var batch: [JSONValue] = []
        for (ticket, raw, plan) in planned {
            var journals: [OutboundJournal] = []
            if let amounts = plan.line {
                if let problem = master.problem(with: ticket, dataAreaID: options.dataAreaID, journalKind: options.journalKind) {
                    // Neither part goes alone: a reversal without its new line would take the labor out of D365.
                    try recordFailure(ticketID: ticket.id, revision: ticket.revision, message: problem, record: raw, report: &report)
                    continue
                }
                var line = ToERPMapping.journalLine(
                    for: ticket, dataAreaID: options.dataAreaID, resourceID: master.resourceID(for: ticket),
                    productionJobID: options.journalKind == .job ? master.jobID(for: ticket) : nil)
                line["RegisteredHours"] = .number(amounts.hours)
                line["ReportedGoodInventoryQuantity"] = .number(amounts.good)
                line["ReportedErrorInventoryQuantity"] = .number(amounts.bad)
                if plan.corrects { report.add(.correctingJournals) }
                journals.append(
                    OutboundJournal(
                        ticketID: ticket.id, revision: ticket.revision, part: .line, line: line,
                        personnelNumber: ticket.personnelNumber))
            }
            if let undo = plan.undo {
                journals.append(
                    OutboundJournal(
                        ticketID: ticket.id, revision: ticket.revision, part: .undo,
                        line: reversalLine(copying: undo.copying, amounts: undo.amounts, ticket: ticket),
                        personnelNumber: undo.copying.personnelNumber))
                report.add(.reversalJournals)
            }
            if batch.count + journals.count > Self.journalsPerBatch {
                try writeJournalFile(batch)
                batch = []
            }
            batch += journals.map(\.json)
        }
        if !batch.isEmpty { try writeJournalFile(batch) }
    }

    private func writeJournalFile(_ entries: [JSONValue]) throws {
        try files.write(entries, kind: options.entitySet.name, nameKind: "journals", schema: Envelope.outboundSchema, metadata: [:], to: .outbound)
    }

    /// The reversal of what a ticket's earlier revisions left on an operation it moved away from: the old line's order,
    /// operation, resource, date, error cause and worker, with the amounts that bring that operation to zero.
    func reversalLine(copying old: StateDatabase.WrittenLine, amounts: LaborAmounts, ticket: LaborTicket) -> JSONObject {
        var line = JSONObject([
            ("dataAreaId", .string(options.dataAreaID)), ("ProductionOrderNumber", .string(old.orderNumber)),
            ("RouteOperationNumber", .number(old.operation)), ("RouteOperationPriority", .string(old.priority)),
        ])
        if let resource = old.resourceID, !resource.isEmpty { line["OperationsResourceId"] = .string(resource) }
        line["RegisteredHours"] = .number(amounts.hours)
        line["ReportedGoodInventoryQuantity"] = .number(amounts.good)
        line["ReportedErrorInventoryQuantity"] = .number(amounts.bad)
        if let date = old.consumptionDate { line["ConsumptionDate"] = .string(date) }
        line["IsOperationCompleted"] = .string("No")
        line["ErrorCause"] = .string(old.errorCause ?? "None")
        line["JournalDescription"] = .string(
            ToERPMapping.journalDescription(
                ticketID: ticket.id, revision: ticket.revision, undo: true,
                personnelNumber: old.personnelNumber))
        if let job = old.productionJobID, options.journalKind == .job { line["ProductionJobId"] = .string(job) }
        return line
    }

    /// A ticket revision that cannot be written: kept in `failed/` with the reason (once per distinct reason) and told
    /// to MachineMetrics.
    func recordFailure(ticketID: String, revision: Int, message: String, record: JSONValue, report: inout RunReport) throws {
        let markerID = ToERPMapping.markerID(ticketID: ticketID, suffix: "r\(revision)")
        guard try database.ticketFailure(markerID: markerID, revision: revision)?.message != message else { return }
        try database.recordTicketFailure(markerID: markerID, revision: revision, ticketID: ticketID, message: message, at: Date())
        let envelope = Envelope(
            schema: Envelope.inboxSchema, runID: runID, direction: .toERP, kind: RecordCollection.laborTickets.rawValue, createdAt: Date(),
            metadata: JSONObject([("ticketId", .string(ticketID)), ("revision", .number(revision))]), records: [record])
        try spool.publishFailed(
            envelope.encoded(), as: files.nextName(nameKind: "failed-ticket"),
            report: FailureReport(
                stage: "transform", reason: "labor ticket \(ticketID) revision \(revision): \(message)",
                whatToDo:
                    "Fix the data in D365 or in MachineMetrics; the ticket stays pending in MachineMetrics and goes through by itself once it can be written. This file is a record only: it needs no re-drive.",
                runID: runID))
        logger.warning("labor ticket \(ticketID) r\(revision) cannot be written: \(message)")
        report.add(.ticketsFailed)
        report.needsOperator()
    }
}
