import CrashPoints
import D365
import Foundation
import JSON
import MachineMetrics
import Mapping
import Spool
import StateStore

extension ToERPRun {
    /// Writes every journal file in `outbound/`, one `$batch` per file, skipping what D365 already has.
    func writeOutbound(_ report: inout RunReport) async throws {
        let names = try spool.items(in: .outbound, for: .toERP)
        defer { progress.finish() }
        for (position, name) in names.enumerated() {
            progress.update("writing journals to D365", done: position, of: names.count, "files")
            let envelope: Envelope
            do {
                envelope = try Envelope.decode(try spool.read(name, in: .outbound), expectedSchema: Envelope.outboundSchema)
                guard envelope.direction == .toERP, envelope.kind != LaborImport.collection.rawValue else { continue }  // not journals
                guard envelope.kind == options.entitySet.name else {
                    throw EnvelopeError("the file holds \(envelope.kind) records; this instance writes \(options.entitySet)")
                }
            } catch let error as SpoolError where error.code == .vanished {
                continue
            } catch {
                try spool.fail(
                    name, in: .outbound,
                    because: FailureReport(
                        stage: "validate", reason: String(describing: error),
                        whatToDo:
                            "Nothing from this file was written. The tickets stay pending in MachineMetrics and are written by a later run; the file can be deleted.",
                        runID: runID),
                    counting: &report)
                continue
            }
            // What D365 already has (recorded, or found by reconciliation) is never sent again.
            let journals = try database.readTransaction {
                try envelope.records.compactMap { entry -> (journal: OutboundJournal, record: JSONValue)? in
                    guard let journal = OutboundJournal(entry),
                        try database.ticketWrite(markerID: journal.markerID, revision: journal.revision, part: journal.part) == nil
                    else { return nil }
                    return (journal, entry)
                }
            }
            CrashPoint.reached("to-erp.batch-sending")
            let outcomes = try await writer.write(journals.map { JournalWriter.Journal(entitySet: options.entitySet, lines: [$0.journal.line]) })
            CrashPoint.reached("to-erp.batch-answered")
            // The whole answer is recorded in one transaction; a journal D365 could not take for now keeps the file in
            // outbound/ for the next run, which sends only what is not recorded.
            var temporaryFailure: D365Error?
            try database.transaction {
                for ((journal, entry), outcome) in zip(journals, outcomes) {
                    switch outcome {
                    case .created(let number, let lines):
                        try recordWritten(journal, journalNumber: number, lineNumbers: lines, &report)
                    case .refused(_, let message):
                        try recordFailure(
                            ticketID: journal.ticketID, revision: journal.revision, message: "D365 refused the journal: \(message)",
                            record: entry, report: &report)
                    case .failedTemporarily(let status, let message):
                        temporaryFailure =
                            temporaryFailure
                            ?? D365Error(
                                category: .temporary,
                                message: "D365 answered \(status) for a journal of \(name); it stays in outbound/ for the next run.",
                                status: status, detail: message)
                    }
                    CrashPoint.reached("to-erp.journal-recorded")
                }
            }
            CrashPoint.reached("to-erp.journals-recorded")
            if let temporaryFailure { throw temporaryFailure }
            let receipt = JSONObject([("runId", .string(runID)), ("journals", .number(journals.count))])
            try spool.move(name, from: .outbound, to: .posted, adding: Spool.NewSidecar(.receipt, receipt))
        }
    }

    private func recordWritten(_ journal: OutboundJournal, journalNumber: String, lineNumbers: [Decimal], _ report: inout RunReport) throws {
        try database.recordTicketWrite(
            .init(
                markerID: journal.markerID, revision: journal.revision, part: journal.part, ticketID: journal.ticketID,
                entitySet: options.entitySet.name, journalNumber: journalNumber,
                lineNumber: JSONNumberText.format(lineNumbers.first ?? 1), source: "run",
                line: Self.writtenLine(of: .object(journal.line), personnelNumber: journal.personnelNumber)))
        try database.forgetTicketFailure(markerID: journal.revisionMarkerID, revision: journal.revision)
        report.add(journal.part == .undo ? .reversalsWritten : .journalsWritten)
    }

    // MARK: Acknowledge

    /// Tells MachineMetrics about each ticket whose newest revision is wholly in D365, and about tickets that failed.
    func acknowledge(_ report: inout RunReport) async throws {
        var acknowledgements: [MachineMetricsClient.Acknowledgement] = []
        var done: [(ticketID: String, revision: Int)] = []
        try database.transaction {
            for ticketID in Set(try database.unacknowledgedTicketWrites().compactMap(\.ticketID)).sorted() {
                // Only a complete revision counts: one whose reversal is still missing is not exported yet.
                let writes = try database.ticketWrites(markerIDs: ToERPMapping.markerIDs(ticketID: ticketID))
                guard let newest = RevisionPlanner.newestComplete(writes) else { continue }
                if newest.acknowledged {
                    // An older journal reconciliation found after a newer revision was told: nothing to tell again.
                    try database.markAcknowledged(markerIDs: ToERPMapping.markerIDs(ticketID: ticketID), throughRevision: newest.revision)
                    continue
                }
                let reference = ToERPMapping.erpReference(
                    dataAreaID: options.dataAreaID, journalNumber: newest.journalNumber,
                    lineNumber: Decimal(string: newest.lineNumber) ?? 1)
                acknowledgements.append(.init(id: ticketID, revision: newest.revision, status: .exported, detail: reference))
                done.append((ticketID, newest.revision))
            }
        }
        let failures = try database.unacknowledgedTicketFailures()
        acknowledgements += failures.map { .init(id: $0.ticketID, revision: $0.revision, status: .failed, detail: $0.message) }
        guard !acknowledgements.isEmpty else { return }
        for chunk in acknowledgements.chunked(500) {
            try await machineMetrics.acknowledge(chunk)
        }
        CrashPoint.reached("to-erp.acknowledged")
        try database.transaction {
            for (ticketID, revision) in done {
                try database.markAcknowledged(markerIDs: ToERPMapping.markerIDs(ticketID: ticketID), throughRevision: revision)
            }
            for failure in failures { try database.markFailureAcknowledged(markerID: failure.markerID, revision: failure.revision) }
        }
        report.add(.ticketsAcknowledgedExported, done.count)
        report.add(.ticketsAcknowledgedFailed, failures.count)
    }

    // MARK: Post

    /// Posting mode `action`: posts every written journal not yet posted, many to a `$batch`.
    func post(_ report: inout RunReport) async throws {
        let journals = Set(try database.unpostedTicketWrites().filter { $0.entitySet == options.entitySet.name }.map(\.journalNumber)).sorted()
        for chunk in journals.chunked(Self.journalsPerBatch) {
            let problems = try await writer.post(
                journalNumbers: chunk, dataAreaID: options.dataAreaID, entitySet: options.entitySet, action: options.postingAction)
            CrashPoint.reached("to-erp.posting-answered")
            try database.transaction {
                for journal in chunk {
                    if let problem = problems[journal] {
                        try database.markPosting(journalNumber: journal, error: problem)
                        logger.error("journal \(journal) is written but could not be posted: \(problem); the next run tries again")
                        report.add(.journalsNotPosted)
                        report.needsOperator()
                    } else {
                        try database.markPosting(journalNumber: journal, error: nil)
                        report.add(.journalsPosted)
                    }
                }
            }
        }
    }

    /// Posting mode `batch_job`: journals D365's batch posting has left unposted for over a day need someone to look.
    func reportUnpostedJournals(_ report: inout RunReport) throws {
        let cutoff = Date().addingTimeInterval(-StateDatabase.postingOverdueAfter)
        let stale = Set(try database.unpostedTicketWrites().filter { $0.writtenAt < cutoff }.map(\.journalNumber)).sorted()
        guard !stale.isEmpty else { return }
        let shown = stale.prefix(5).joined(separator: ", ") + (stale.count > 5 ? ", …" : "")
        logger.warning(
            "\(stale.count) journal(s) written more than a day ago are still unposted (\(shown)): check that D365's batch posting job for route or job card journals runs"
        )
        report.add(.journalsUnpostedForADay, stale.count)
        report.needsOperator()
    }
}
