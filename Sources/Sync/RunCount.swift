/// What a run counts. Each has a stable identifier for machines (`records_accepted`, in `status --json` under
/// `countsByID`) and a label for people and for the run's last log line (`records accepted 12`), which
/// `scripts/bench` reads: neither changes once released.
public enum RunCount: String, CaseIterable, Sendable {
    // From ERP.
    case pagesPulled = "pages_pulled"
    /// Pages new to `pages/` (the others were kept already, intact).
    case pagesWritten = "pages_written"
    case rowsPulled = "rows_pulled"
    case rowsTransformed = "rows_transformed"
    /// Pages transformed, from the pull or from `inbox/` (named when each page was an inbox file).
    case inboxFilesTransformed = "inbox_files_transformed"
    case recordsToSend = "records_to_send"
    case recordsUnchanged = "records_unchanged"
    case recordsDeparted = "records_departed"
    case batchesWritten = "batches_written"
    // To MachineMetrics, either direction.
    case batchesPosted = "batches_posted"
    case recordsAccepted = "records_accepted"
    case recordsRejected = "records_rejected"
    case filesFailed = "files_failed"
    // To ERP.
    case ticketsPulled = "tickets_pulled"
    case ticketsFailed = "tickets_failed"
    case ticketRevisionsLeftPending = "ticket_revisions_left_pending"
    case correctingJournals = "correcting_journals"
    case reversalJournals = "reversal_journals"
    case journalsWritten = "journals_written"
    case reversalsWritten = "reversals_written"
    case journalsFoundByReconciliation = "journals_found_by_reconciliation"
    case journalsMissingFromD365 = "journals_missing_from_d365"
    case journalsPosted = "journals_posted"
    case journalsNotPosted = "journals_not_posted"
    case journalsUnpostedForADay = "journals_unposted_for_a_day"
    case ticketsAcknowledgedExported = "tickets_acknowledged_exported"
    case ticketsAcknowledgedFailed = "tickets_acknowledged_failed"
    // D365 labor imported to MachineMetrics.
    case laborLinesToImport = "labor_lines_to_import"
    case laborLinesUnreadable = "labor_lines_unreadable"
    case laborLinesWithoutWorkOrder = "labor_lines_without_work_order"

    /// How people read it.
    public var label: String {
        switch self {
        case .journalsFoundByReconciliation: return "journals found in D365 by reconciliation"
        case .journalsMissingFromD365: return "journals missing from D365"
        case .journalsUnpostedForADay: return "journals unposted for over a day"
        case .laborLinesToImport: return "D365 labor lines to import"
        case .laborLinesUnreadable: return "D365 labor lines unreadable"
        case .laborLinesWithoutWorkOrder: return "D365 labor lines skipped: work order not in MachineMetrics"
        default: return rawValue.replacingOccurrences(of: "_", with: " ")
        }
    }
}
