import Foundation

/// What the connector knows it wrote to D365 for each labor ticket revision.
///
/// Tickets are identified by their marker id: the ticket id, or `#` and 16 hex digits of its SHA-256 when the id is
/// too long for the journal description, exactly as the marker in D365 carries it.
extension StateDatabase {
    /// What one journal line put in D365 for a ticket: where, how much (the line's own amounts, which for a correcting
    /// line are the differences), and what a reversal of it must copy.
    public struct WrittenLine: Sendable, Equatable {
        public let orderNumber: String
        public let operation: Int
        public let priority: String
        public let resourceID: String?
        /// As D365 holds it, e.g. `2026-11-20T12:00:00Z`.
        public let consumptionDate: String?
        public let errorCause: String?
        public let productionJobID: String?
        public let personnelNumber: String?
        public let hours: Decimal
        public let good: Decimal
        public let bad: Decimal

        public init(
            orderNumber: String, operation: Int, priority: String, resourceID: String?, consumptionDate: String?, errorCause: String?,
            productionJobID: String?, personnelNumber: String?, hours: Decimal, good: Decimal, bad: Decimal
        ) {
            self.orderNumber = orderNumber
            self.operation = operation
            self.priority = priority
            self.resourceID = resourceID
            self.consumptionDate = consumptionDate
            self.errorCause = errorCause
            self.productionJobID = productionJobID
            self.personnelNumber = personnelNumber
            self.hours = hours
            self.good = good
            self.bad = bad
        }
    }

    /// One of the journals a ticket revision needs: its own line, and, when the revision moved the labor, the
    /// reversal (`-undo`) of what was written before on the old order and operation.
    public enum WritePart: String, Sendable, Equatable {
        case line
        case undo
    }

    /// A journal of a ticket revision that is in D365.
    public struct TicketWrite: Sendable, Equatable {
        public let markerID: String
        public let revision: Int
        public let part: WritePart
        /// The ticket's id; unknown for a write reconciliation found under a hashed marker until a pull shows the ticket.
        public let ticketID: String?
        public let entitySet: String
        public let journalNumber: String
        public let lineNumber: String
        /// `run` when this connector recorded the write, `reconciliation` when it found it in D365.
        public let source: String
        public let writtenAt: Date
        public let acknowledged: Bool
        public let posted: Bool
        public let postingError: String?
        public let line: WrittenLine?

        public init(
            markerID: String, revision: Int, part: WritePart = .line, ticketID: String?, entitySet: String, journalNumber: String,
            lineNumber: String, source: String, writtenAt: Date = Date(), acknowledged: Bool = false, posted: Bool = false,
            postingError: String? = nil, line: WrittenLine?
        ) {
            self.markerID = markerID
            self.revision = revision
            self.part = part
            self.ticketID = ticketID
            self.entitySet = entitySet
            self.journalNumber = journalNumber
            self.lineNumber = lineNumber
            self.source = source
            self.writtenAt = writtenAt
            self.acknowledged = acknowledged
            self.posted = posted
            self.postingError = postingError
            self.line = line
        }
    }

    /// Records a write; one already known is left as it is. Returns whether it was new.
    @discardableResult
    public func recordTicketWrite(_ write: TicketWrite) throws -> Bool {
        let line = write.line
        try connection.run(
            """
            INSERT OR IGNORE INTO ticket_writes (marker_id, revision, part, ticket_id, entity_set, journal_number, line_number, source, written_at,
                posted, order_number, operation, priority, resource, consumption_date, error_cause, job_id, personnel, hours, good, bad)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(write.markerID), .integer(Int64(write.revision)), .text(write.part.rawValue), SQLiteValue(write.ticketID),
                .text(write.entitySet), .text(write.journalNumber), .text(write.lineNumber), .text(write.source),
                .real(write.writtenAt.timeIntervalSince1970), .integer(write.posted ? 1 : 0),
                SQLiteValue(line?.orderNumber), SQLiteValue(line?.operation), SQLiteValue(line?.priority), SQLiteValue(line?.resourceID),
                SQLiteValue(line?.consumptionDate), SQLiteValue(line?.errorCause), SQLiteValue(line?.productionJobID),
                SQLiteValue(line?.personnelNumber), SQLiteValue(line.map { "\($0.hours)" }), SQLiteValue(line.map { "\($0.good)" }),
                SQLiteValue(line.map { "\($0.bad)" }),
            ])
        return connection.changes > 0
    }

    public func ticketWrite(markerID: String, revision: Int, part: WritePart) throws -> TicketWrite? {
        try ticketWrites(where: "marker_id = ? AND revision = ? AND part = ?", [.text(markerID), .integer(Int64(revision)), .text(part.rawValue)])
            .first
    }

    /// Every journal written for the ticket behind `markerIDs` (a ticket's plain and hashed marker ids), lowest revision first.
    public func ticketWrites(markerIDs: [String]) throws -> [TicketWrite] {
        guard !markerIDs.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: markerIDs.count).joined(separator: ", ")
        return try ticketWrites(where: "marker_id IN (\(placeholders))", markerIDs.map { .text($0) })
    }

    /// Writes MachineMetrics has not been told about yet.
    public func unacknowledgedTicketWrites() throws -> [TicketWrite] {
        try ticketWrites(where: "acknowledged = 0", [])
    }

    /// A journal D365's batch posting has left unposted this long after it was written needs someone to look.
    public static let postingOverdueAfter: TimeInterval = 86_400

    /// Writes whose journal is not known to be posted.
    public func unpostedTicketWrites() throws -> [TicketWrite] {
        try ticketWrites(where: "posted = 0", [])
    }

    /// Writes of journals whose consumption date is `date` or later, for comparing with what D365 holds.
    public func ticketWrites(consumedSince date: String) throws -> [TicketWrite] {
        try ticketWrites(where: "consumption_date >= ?", [.text(date)])
    }

    /// Remembers the ticket id behind a marker, once a pull shows it.
    public func recordTicketID(_ ticketID: String, markerIDs: [String]) throws {
        for markerID in markerIDs {
            try connection.run(
                "UPDATE ticket_writes SET ticket_id = ? WHERE marker_id = ? AND ticket_id IS NULL", [.text(ticketID), .text(markerID)])
        }
    }

    /// Marks every journal of the ticket up to `revision` as told to MachineMetrics (only the newest revision is told).
    public func markAcknowledged(markerIDs: [String], throughRevision revision: Int) throws {
        for markerID in markerIDs {
            try connection.run(
                "UPDATE ticket_writes SET acknowledged = 1 WHERE marker_id = ? AND revision <= ?", [.text(markerID), .integer(Int64(revision))])
        }
    }

    /// Records whether posting the journal worked (`error` nil) or why not.
    public func markPosting(journalNumber: String, error: String?) throws {
        try connection.run(
            "UPDATE ticket_writes SET posted = ?, posting_error = ? WHERE journal_number = ?",
            [.integer(error == nil ? 1 : 0), SQLiteValue(error), .text(journalNumber)])
    }

    private func ticketWrites(where condition: String, _ arguments: [SQLiteValue]) throws -> [TicketWrite] {
        try connection.query(
            """
            SELECT marker_id, revision, part, ticket_id, entity_set, journal_number, line_number, source, written_at, acknowledged, posted,
                posting_error, order_number, operation, priority, resource, consumption_date, error_cause, job_id, personnel, hours, good, bad
            FROM ticket_writes WHERE \(condition) ORDER BY marker_id, revision, part
            """, arguments
        ).map { row in
            TicketWrite(
                markerID: row[0].text ?? "", revision: Int(row[1].integer ?? 0), part: WritePart(rawValue: row[2].text ?? "") ?? .line,
                ticketID: row[3].text, entitySet: row[4].text ?? "", journalNumber: row[5].text ?? "", lineNumber: row[6].text ?? "",
                source: row[7].text ?? "", writtenAt: Date(timeIntervalSince1970: row[8].real ?? 0), acknowledged: row[9].integer == 1,
                posted: row[10].integer == 1, postingError: row[11].text, line: Self.writtenLine(Array(row[12...])))
        }
    }

    private static func writtenLine(_ columns: [SQLiteValue]) -> WrittenLine? {
        func decimal(_ value: SQLiteValue) -> Decimal? { value.text.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } }
        guard let order = columns[0].text, let operation = columns[1].integer, let priority = columns[2].text, let hours = decimal(columns[8]),
            let good = decimal(columns[9]), let bad = decimal(columns[10])
        else { return nil }
        return WrittenLine(
            orderNumber: order, operation: Int(operation), priority: priority, resourceID: columns[3].text, consumptionDate: columns[4].text,
            errorCause: columns[5].text, productionJobID: columns[6].text, personnelNumber: columns[7].text,
            hours: hours, good: good, bad: bad)
    }
}
