import Foundation

/// What the connector knows it wrote to D365 for each labor ticket revision, and which revisions failed.
///
/// Tickets are identified by their marker id: the ticket id, or `#` and 16 hex digits of its SHA-256 when the id is
/// too long for the journal description, exactly as the marker in D365 carries it.
extension StateDatabase {
    /// What one journal line put in D365 for a ticket: where, and how much (the line's own amounts, which for a
    /// correcting line are the differences).
    public struct WrittenAmounts: Sendable, Equatable {
        public let orderNumber: String
        public let operation: Int
        public let priority: String
        public let hours: Decimal
        public let good: Decimal
        public let bad: Decimal

        public init(orderNumber: String, operation: Int, priority: String, hours: Decimal, good: Decimal, bad: Decimal) {
            self.orderNumber = orderNumber
            self.operation = operation
            self.priority = priority
            self.hours = hours
            self.good = good
            self.bad = bad
        }
    }

    /// A ticket revision that is in D365.
    public struct TicketWrite: Sendable, Equatable {
        public let markerID: String
        public let revision: Int
        /// The ticket's id; unknown for a write reconciliation found under a hashed marker until a pull shows the ticket.
        public let ticketID: String?
        public let entitySet: String
        public let journalNumber: String
        public let lineNumber: String
        /// `run` when this connector recorded the write, `reconciliation` when it found it in D365.
        public let source: String
        public let acknowledged: Bool
        public let posted: Bool
        public let amounts: WrittenAmounts?

        public init(markerID: String, revision: Int, ticketID: String?, entitySet: String, journalNumber: String, lineNumber: String, source: String,
                    acknowledged: Bool = false, posted: Bool = false, amounts: WrittenAmounts?) {
            self.amounts = amounts
            self.markerID = markerID
            self.revision = revision
            self.ticketID = ticketID
            self.entitySet = entitySet
            self.journalNumber = journalNumber
            self.lineNumber = lineNumber
            self.source = source
            self.acknowledged = acknowledged
            self.posted = posted
        }
    }

    /// Records a write; one already known is left as it is.
    @discardableResult
    public func recordTicketWrite(_ write: TicketWrite, at date: Date) throws -> Bool {
        try connection.run("""
            INSERT OR IGNORE INTO ticket_writes (marker_id, revision, ticket_id, entity_set, journal_number, line_number, source, written_at, posted,
                order_number, operation, priority, hours, good, bad)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(write.markerID), .integer(Int64(write.revision)), SQLiteValue(write.ticketID), .text(write.entitySet), .text(write.journalNumber),
                  .text(write.lineNumber), .text(write.source), .real(date.timeIntervalSince1970), .integer(write.posted ? 1 : 0),
                  SQLiteValue(write.amounts?.orderNumber), SQLiteValue(write.amounts?.operation), SQLiteValue(write.amounts?.priority),
                  SQLiteValue(write.amounts.map { "\($0.hours)" }), SQLiteValue(write.amounts.map { "\($0.good)" }), SQLiteValue(write.amounts.map { "\($0.bad)" })])
        return connection.changes > 0
    }

    public func ticketWrite(markerID: String, revision: Int) throws -> TicketWrite? {
        try ticketWrites(where: "marker_id = ? AND revision = ?", [.text(markerID), .integer(Int64(revision))]).first
    }

    /// The revisions of `markerID` in D365, lowest first.
    public func ticketWrites(markerID: String) throws -> [TicketWrite] {
        try ticketWrites(where: "marker_id = ?", [.text(markerID)])
    }

    /// Writes MachineMetrics has not been told about yet.
    public func unacknowledgedTicketWrites() throws -> [TicketWrite] {
        try ticketWrites(where: "acknowledged = 0", [])
    }

    /// Writes whose journal is not known to be posted.
    public func unpostedTicketWrites() throws -> [TicketWrite] {
        try ticketWrites(where: "posted = 0", [])
    }

    /// Remembers the ticket id behind a marker, once a pull shows it.
    public func recordTicketID(_ ticketID: String, markerID: String, revision: Int) throws {
        try connection.run("UPDATE ticket_writes SET ticket_id = ? WHERE marker_id = ? AND revision = ? AND ticket_id IS NULL",
                           [.text(ticketID), .text(markerID), .integer(Int64(revision))])
    }

    public func markAcknowledged(markerID: String, revision: Int) throws {
        try connection.run("UPDATE ticket_writes SET acknowledged = 1 WHERE marker_id = ? AND revision = ?", [.text(markerID), .integer(Int64(revision))])
    }

    /// Records whether posting the journal worked (`error` nil) or why not.
    public func markPosting(journalNumber: String, error: String?) throws {
        try connection.run("UPDATE ticket_writes SET posted = ?, posting_error = ? WHERE journal_number = ?",
                           [.integer(error == nil ? 1 : 0), SQLiteValue(error), .text(journalNumber)])
    }

    private func ticketWrites(where condition: String, _ arguments: [SQLiteValue]) throws -> [TicketWrite] {
        try connection.query("""
            SELECT marker_id, revision, ticket_id, entity_set, journal_number, line_number, source, acknowledged, posted,
                order_number, operation, priority, hours, good, bad FROM ticket_writes
            WHERE \(condition) ORDER BY marker_id, revision
            """, arguments).map { row in
            TicketWrite(markerID: row[0].text ?? "", revision: Int(row[1].integer ?? 0), ticketID: row[2].text, entitySet: row[3].text ?? "",
                        journalNumber: row[4].text ?? "", lineNumber: row[5].text ?? "", source: row[6].text ?? "", acknowledged: row[7].integer == 1,
                        posted: row[8].integer == 1, amounts: Self.amounts(row))
        }
    }

    private static func amounts(_ row: [SQLiteValue]) -> WrittenAmounts? {
        func decimal(_ value: SQLiteValue) -> Decimal? { value.text.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } }
        guard let order = row[9].text, let operation = row[10].integer, let priority = row[11].text, let hours = decimal(row[12]),
              let good = decimal(row[13]), let bad = decimal(row[14]) else { return nil }
        return WrittenAmounts(orderNumber: order, operation: Int(operation), priority: priority, hours: hours, good: good, bad: bad)
    }

    // MARK: Failures

    /// A ticket revision that cannot be written, and whether MachineMetrics was told.
    public struct TicketFailure: Sendable, Equatable {
        public let markerID: String
        public let revision: Int
        public let ticketID: String
        public let message: String
        public let acknowledged: Bool
    }

    public func ticketFailure(markerID: String, revision: Int) throws -> TicketFailure? {
        try connection.query("SELECT marker_id, revision, ticket_id, message, acknowledged FROM ticket_failures WHERE marker_id = ? AND revision = ?",
                             [.text(markerID), .integer(Int64(revision))]).first.map(Self.failure)
    }

    /// Records the failure; a different message replaces the old one and is told to MachineMetrics again.
    public func recordTicketFailure(markerID: String, revision: Int, ticketID: String, message: String, at date: Date) throws {
        try connection.run("""
            INSERT INTO ticket_failures (marker_id, revision, ticket_id, message, acknowledged, at) VALUES (?, ?, ?, ?, 0, ?)
            ON CONFLICT (marker_id, revision) DO UPDATE SET message = excluded.message, acknowledged = 0, at = excluded.at
            WHERE ticket_failures.message <> excluded.message
            """, [.text(markerID), .integer(Int64(revision)), .text(ticketID), .text(message), .real(date.timeIntervalSince1970)])
    }

    public func unacknowledgedTicketFailures() throws -> [TicketFailure] {
        try connection.query("SELECT marker_id, revision, ticket_id, message, acknowledged FROM ticket_failures WHERE acknowledged = 0 ORDER BY at").map(Self.failure)
    }

    public func markFailureAcknowledged(markerID: String, revision: Int) throws {
        try connection.run("UPDATE ticket_failures SET acknowledged = 1 WHERE marker_id = ? AND revision = ?", [.text(markerID), .integer(Int64(revision))])
    }

    /// Forgets a failure once the ticket revision went through.
    public func forgetTicketFailure(markerID: String, revision: Int) throws {
        try connection.run("DELETE FROM ticket_failures WHERE marker_id = ? AND revision = ?", [.text(markerID), .integer(Int64(revision))])
    }

    private static func failure(_ row: [SQLiteValue]) -> TicketFailure {
        TicketFailure(markerID: row[0].text ?? "", revision: Int(row[1].integer ?? 0), ticketID: row[2].text ?? "", message: row[3].text ?? "",
                      acknowledged: row[4].integer == 1)
    }
}
