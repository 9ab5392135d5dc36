import D365
import Foundation
import JSON
import Logging
import MachineMetrics
import Mapping
import Spool
import StateStore

/// One `d365mm run to-erp`: reconcile with D365, pull pending labor tickets, write each revision once as a
/// journal, acknowledge, post.
///
/// Exactly once: before anything is written, the journals carrying this connector's markers are read back from D365
/// and recorded, so that a write D365 committed but this connector never heard of is not written again. Every
/// outbound entry is checked against that record right before it is sent.
public final class ToERPRun {
    public struct Options: Sendable {
        public var dataAreaID: String
        /// `job` or `operation`.
        public var journalKind: String
        /// `action`, `batch_job` or `manual`.
        public var postingMode: String
        public var postingAction: String
        public var reconciliationWindow: TimeInterval

        public init(dataAreaID: String, journalKind: String, postingMode: String, postingAction: String, reconciliationWindow: TimeInterval) {
            self.dataAreaID = dataAreaID.lowercased()
            self.journalKind = journalKind
            self.postingMode = postingMode
            self.postingAction = postingAction
            self.reconciliationWindow = reconciliationWindow
        }

        var entitySet: String { journalKind == "job" ? "JobCardProductionJournalEntries" : "RouteCardProductionJournalEntries" }
    }

    static let journalsPerBatch = 100

    private let options: Options
    private let spool: Spool
    private let database: StateDatabase
    private let odata: ODataClient
    private let writer: JournalWriter
    private let machineMetrics: MachineMetricsClient
    private let logger: Logger
    private let files: SpoolWriter
    public let runID: String

    public init(options: Options, spool: Spool, database: StateDatabase, odata: ODataClient, writer: JournalWriter,
                machineMetrics: MachineMetricsClient, runID: String, logger: Logger) {
        self.options = options
        self.spool = spool
        self.database = database
        self.odata = odata
        self.writer = writer
        self.machineMetrics = machineMetrics
        self.runID = runID
        self.logger = logger
        files = SpoolWriter(spool: spool, runID: runID, direction: .toERP)
    }

    public func run() async -> RunReport {
        let bookkeeping = RunBookkeeping(runID: runID, direction: .toERP, spool: spool, database: database, logger: logger)
        return await bookkeeping.perform { report in
            try await reconcile(&report)
            try await writeOutbound(&report)
            try await acknowledge(&report)
            try await pull(&report)
            try await transformInbox(&report)
            try await writeOutbound(&report)
            try await acknowledge(&report)
            if options.postingMode == "action" { try await post(&report) }
        }
    }

    // MARK: Reconcile

    /// Records every journal line in D365 that carries this connector's marker within the reconciliation window.
    private func reconcile(_ report: inout RunReport) async throws {
        let since = Date().addingTimeInterval(-options.reconciliationWindow)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let filter = ODataFilter.allOf([ODataFilter.equals("dataAreaId", options.dataAreaID), ODataFilter.equals("JournalDescription", "MM-LT *"),
                                        "ConsumptionDate ge \(formatter.string(from: since))T00:00:00Z"])
        let query = ODataQuery(entitySet: options.entitySet, filter: filter, select: [
            "JournalNumber", "JournalLineNumber", "JournalDescription", "IsPosted", "ProductionOrderNumber", "RouteOperationNumber",
            "RouteOperationPriority", "RegisteredHours", "ReportedGoodInventoryQuantity", "ReportedErrorInventoryQuantity",
        ])
        var found: [(StateDatabase.TicketWrite)] = []
        try await odata.readAll(query) { page in
            for row in page.rows {
                guard let description = row["JournalDescription"]?.stringValue, let marker = ToERPMapping.parseMarker(description), !marker.undo,
                      let journal = row["JournalNumber"]?.stringValue, let line = row["JournalLineNumber"]?.decimalValue else { continue }
                // A plain marker names the ticket; a hashed one is matched to its ticket when a pull shows it.
                found.append(.init(markerID: marker.markerID, revision: marker.revision, ticketID: marker.markerID.hasPrefix("#") ? nil : marker.markerID,
                                   entitySet: options.entitySet, journalNumber: journal,
                                   lineNumber: JSONNumberText.format(line), source: "reconciliation", posted: row["IsPosted"]?.stringValue == "Yes",
                                   amounts: Self.amounts(of: row)))
            }
        }
        var recovered = 0
        for write in found where try database.recordTicketWrite(write, at: Date()) { recovered += 1 }
        if recovered > 0 {
            logger.notice("reconciliation found \(recovered) labor ticket revision(s) in D365 that were not recorded here; they will not be written again")
            report.add("tickets found in D365 by reconciliation", recovered)
        }
    }

    // MARK: Pull and transform

    private func pull(_ report: inout RunReport) async throws {
        var cursor: String?
        repeat {
            let page = try await machineMetrics.pendingLaborTickets(limit: 500, cursor: cursor)
            if !page.tickets.isEmpty {
                try files.write(page.tickets, kind: "labor-tickets", nameKind: "labor-tickets", schema: Envelope.inboxSchema, metadata: [:], to: .inbox)
                report.add("tickets pulled", page.tickets.count)
            }
            cursor = page.nextCursor
        } while cursor != nil
    }

    private func transformInbox(_ report: inout RunReport) async throws {
        for name in try spool.items(in: .inbox) {
            let tickets: [LaborTicket]
            do {
                let envelope = try Envelope.decode(try spool.read(name, in: .inbox), expectedSchema: Envelope.inboxSchema)
                guard envelope.direction == .toERP, envelope.kind == "labor-tickets" else {
                    throw EnvelopeError("the file holds \(envelope.direction.rawValue) \(envelope.kind) records, which the to-erp transform does not take")
                }
                tickets = try envelope.records.map { try LaborTicket($0) }
            } catch let error as SpoolError where error.code == .vanished {
                continue
            } catch {
                try spool.fail(name, in: .inbox, report: FailureReport(stage: "transform", reason: String(describing: error),
                    whatToDo: "Nothing from this file was written to D365. The next run asks MachineMetrics for the pending tickets again; the file can be deleted.",
                    runID: runID))
                report.add("files failed")
                report.needsOperator()
                continue
            }
            try await transform(tickets, &report)
            try spool.move(name, from: .inbox, to: .posted)
        }
    }

    private func transform(_ tickets: [LaborTicket], _ report: inout RunReport) async throws {
        var pending: [LaborTicket] = []
        // What earlier revisions already put in D365, for tickets whose newer revision is written as the difference.
        var corrections: [String: (hours: Decimal, good: Decimal, bad: Decimal)] = [:]
        for ticket in tickets {
            let markerID = ToERPMapping.markerID(ticketID: ticket.id, suffix: "r\(ticket.revision)")
            if try database.ticketWrite(markerID: markerID, revision: ticket.revision) != nil {
                try database.recordTicketID(ticket.id, markerID: markerID, revision: ticket.revision)
                continue  // in D365 already; only its acknowledgement may be missing
            }
            let earlier = try database.ticketWrites(markerID: markerID).filter { $0.revision < ticket.revision }
            if !earlier.isEmpty {
                guard let written = Self.netWritten(earlier, for: ticket) else {
                    // Writing the revision whole would count the labor twice: it waits until it can be corrected exactly.
                    logger.warning("labor ticket \(ticket.id) revision \(ticket.revision) moves labor already in D365 to another order or operation (or its earlier lines are unknown); reversals are not written by this version, so it is left pending")
                    report.add("ticket revisions left pending")
                    continue
                }
                corrections[ticket.id] = written
            }
            pending.append(ticket)
        }
        guard !pending.isEmpty else { return }
        let master = try await ToERPMasterData.load(for: pending, dataAreaID: options.dataAreaID, withJobs: options.journalKind == "job", odata: odata)
        var entries: [JSONValue] = []
        for ticket in pending {
            let markerID = ToERPMapping.markerID(ticketID: ticket.id, suffix: "r\(ticket.revision)")
            if let problem = master.problem(with: ticket, dataAreaID: options.dataAreaID, journalKind: options.journalKind) {
                try recordFailure(ticketID: ticket.id, revision: ticket.revision, markerID: markerID, message: problem, report: &report)
                continue
            }
            var line = ToERPMapping.journalLine(for: ticket, dataAreaID: options.dataAreaID, resourceID: master.resourceID(for: ticket),
                                                productionJobID: options.journalKind == "job" ? master.jobID(for: ticket) : nil)
            if let written = corrections[ticket.id] {
                // A correcting line: the newest revision's amounts minus what is in D365 (negative where it shrank).
                line["RegisteredHours"] = .number(ToERPMapping.hours(from: ticket.startAt, to: ticket.endAt) - written.hours)
                line["ReportedGoodInventoryQuantity"] = .number(ticket.goodQuantity - written.good)
                line["ReportedErrorInventoryQuantity"] = .number(ticket.badQuantity - written.bad)
                report.add("correcting journals")
            }
            entries.append(.object(JSONObject([("ticketId", .string(ticket.id)), ("revision", .number(ticket.revision)), ("markerId", .string(markerID)),
                                               ("line", .object(line))])))
            if entries.count == Self.journalsPerBatch {
                try files.write(entries, kind: options.entitySet, nameKind: "journals", schema: Envelope.outboundSchema, metadata: [:], to: .outbound)
                entries = []
            }
        }
        if !entries.isEmpty {
            try files.write(entries, kind: options.entitySet, nameKind: "journals", schema: Envelope.outboundSchema, metadata: [:], to: .outbound)
        }
    }

    /// A ticket that cannot be written: kept in `failed/` with the reason (once per distinct reason) and told to MachineMetrics.
    private func recordFailure(ticketID: String, revision: Int, markerID: String, message: String, report: inout RunReport) throws {
        let known = try database.ticketFailure(markerID: markerID, revision: revision)
        guard known?.message != message else { return }
        try database.recordTicketFailure(markerID: markerID, revision: revision, ticketID: ticketID, message: message, at: Date())
        let name = try files.write([], kind: "labor-ticket", nameKind: "failed-ticket", schema: Envelope.outboundSchema,
                                   metadata: JSONObject([("ticketId", .string(ticketID)), ("revision", .number(revision))]), to: .tmp)
        try spool.fail(name, in: .tmp, report: FailureReport(stage: "transform", reason: "labor ticket \(ticketID) revision \(revision): \(message)",
            whatToDo: "Fix the data in D365 or in MachineMetrics; the ticket stays pending and goes through by itself once it can be written.", runID: runID))
        logger.warning("labor ticket \(ticketID) r\(revision) cannot be written: \(message)")
        report.add("tickets failed")
        report.needsOperator()
    }

    // MARK: Write

    private func writeOutbound(_ report: inout RunReport) async throws {
        for name in try spool.items(in: .outbound) {
            let envelope: Envelope
            do {
                envelope = try Envelope.decode(try spool.read(name, in: .outbound), expectedSchema: Envelope.outboundSchema)
                guard envelope.direction == .toERP, envelope.kind == options.entitySet else {
                    throw EnvelopeError("the file holds \(envelope.direction.rawValue) \(envelope.kind) records; this instance writes \(options.entitySet)")
                }
            } catch let error as SpoolError where error.code == .vanished {
                continue
            } catch {
                try spool.fail(name, in: .outbound, report: FailureReport(stage: "validate", reason: String(describing: error),
                    whatToDo: "Nothing from this file was written. The tickets stay pending in MachineMetrics and are written by a later run; the file can be deleted.",
                    runID: runID))
                report.add("files failed")
                report.needsOperator()
                continue
            }
            // What D365 already has (recorded, or found by reconciliation) is never sent again.
            var entries: [(markerID: String, revision: Int, ticketID: String, line: JSONObject)] = []
            for entry in envelope.records {
                guard let markerID = entry["markerId"]?.stringValue, let revision = entry["revision"]?.intValue, let line = entry["line"]?.objectValue else { continue }
                if try database.ticketWrite(markerID: markerID, revision: revision) != nil { continue }
                entries.append((markerID, revision, entry["ticketId"]?.stringValue ?? markerID, line))
            }
            let outcomes = try await writer.write(entries.map { JournalWriter.Journal(entitySet: options.entitySet, lines: [$0.line]) })
            for ((markerID, revision, ticketID, line), outcome) in zip(entries, outcomes) {
                switch outcome {
                case .created(let journal, let lines):
                    try database.recordTicketWrite(.init(markerID: markerID, revision: revision, ticketID: ticketID, entitySet: options.entitySet, journalNumber: journal,
                                                         lineNumber: JSONNumberText.format(lines.first ?? 1), source: "run",
                                                         amounts: Self.amounts(of: .object(line))), at: Date())
                    try database.forgetTicketFailure(markerID: markerID, revision: revision)
                    report.add("journals written")
                case .refused(_, let message):
                    try recordFailure(ticketID: ticketID, revision: revision, markerID: markerID, message: "D365 refused the journal: \(message)", report: &report)
                case .failedTemporarily(let status, let message):
                    throw D365Error(category: .temporary, message: "D365 answered \(status) for a journal of \(name); it stays in outbound/ for the next run.",
                                    status: status, detail: message)
                }
            }
            let receipt = JSONObject([("item", .string(name)), ("runId", .string(runID)), ("journals", .number(entries.count))])
            try spool.publish(JSONEncoding.bytes(.object(receipt), style: .pretty) + [0x0A], as: Sidecar.receiptName(for: name), in: .posted)
            try spool.move(name, from: .outbound, to: .posted)
        }
    }

    /// The sums of the lines earlier revisions wrote, when they all went to the ticket's order and operation.
    static func netWritten(_ writes: [StateDatabase.TicketWrite], for ticket: LaborTicket) -> (hours: Decimal, good: Decimal, bad: Decimal)? {
        var total: (hours: Decimal, good: Decimal, bad: Decimal) = (0, 0, 0)
        for write in writes {
            guard let amounts = write.amounts, amounts.orderNumber.lowercased() == ticket.workOrderNumber.lowercased(),
                  amounts.operation == ticket.operationSequence, amounts.priority == ticket.operationPriority else { return nil }
            total.hours += amounts.hours
            total.good += amounts.good
            total.bad += amounts.bad
        }
        return total
    }

    /// Where a journal line (as D365 answers it, or as written) put labor, and how much.
    static func amounts(of line: JSONValue) -> StateDatabase.WrittenAmounts? {
        guard let order = line["ProductionOrderNumber"]?.stringValue, let operation = line["RouteOperationNumber"]?.intValue,
              let priority = line["RouteOperationPriority"]?.stringValue, let hours = line["RegisteredHours"]?.decimalValue,
              let good = line["ReportedGoodInventoryQuantity"]?.decimalValue, let bad = line["ReportedErrorInventoryQuantity"]?.decimalValue else { return nil }
        return StateDatabase.WrittenAmounts(orderNumber: order, operation: operation, priority: priority, hours: hours, good: good, bad: bad)
    }

    // MARK: Acknowledge and post

    private func acknowledge(_ report: inout RunReport) async throws {
        let writes = try database.unacknowledgedTicketWrites()
        let failures = try database.unacknowledgedTicketFailures()
        guard writes.contains(where: { $0.ticketID != nil }) || !failures.isEmpty else { return }
        var acknowledgements: [MachineMetricsClient.Acknowledgement] = []
        let known = writes.filter { $0.ticketID != nil }
        for write in known {
            guard let ticketID = write.ticketID else { continue }
            let reference = ToERPMapping.erpReference(dataAreaID: options.dataAreaID, journalNumber: write.journalNumber, lineNumber: Decimal(string: write.lineNumber) ?? 1)
            acknowledgements.append(.init(id: ticketID, revision: write.revision, status: .exported, detail: reference))
        }
        acknowledgements += failures.map { .init(id: $0.ticketID, revision: $0.revision, status: .failed, detail: $0.message) }
        for chunk in acknowledgements.chunked(500) {
            try await machineMetrics.acknowledge(chunk)
        }
        for write in known { try database.markAcknowledged(markerID: write.markerID, revision: write.revision) }
        for failure in failures { try database.markFailureAcknowledged(markerID: failure.markerID, revision: failure.revision) }
        report.add("tickets acknowledged exported", acknowledgements.filter { $0.status == .exported }.count)
        report.add("tickets acknowledged failed", failures.count)
    }

    private func post(_ report: inout RunReport) async throws {
        let journals = Set(try database.unpostedTicketWrites().map(\.journalNumber)).sorted()
        for journal in journals {
            if let problem = try await writer.post(journalNumber: journal, dataAreaID: options.dataAreaID, entitySet: options.entitySet, action: options.postingAction) {
                try database.markPosting(journalNumber: journal, error: problem)
                logger.error("journal \(journal) is written but could not be posted: \(problem); the next run tries again")
                report.add("journals not posted")
                report.needsOperator()
            } else {
                try database.markPosting(journalNumber: journal, error: nil)
                report.add("journals posted")
            }
        }
    }
}
