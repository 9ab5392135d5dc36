import Foundation

/// Labor ticket revisions that cannot be written, and whether MachineMetrics was told.
extension StateDatabase {
    /// A ticket revision that cannot be written, and whether MachineMetrics was told.
    public struct TicketFailure: Sendable, Equatable {
        public let markerID: String
        public let revision: Int
        public let ticketID: String
        public let message: String
        public let acknowledged: Bool
    }

    public func ticketFailure(markerID: String, revision: Int) throws -> TicketFailure? {
        try connection.query(
            "SELECT marker_id, revision, ticket_id, message, acknowledged FROM ticket_failures WHERE marker_id = ? AND revision = ?",
            [.text(markerID), .integer(Int64(revision))]
        ).first.map(Self.failure)
    }

    /// Records the failure; a different message replaces the old one and is told to MachineMetrics again.
    public func recordTicketFailure(markerID: String, revision: Int, ticketID: String, message: String, at date: Date) throws {
        try connection.run(
            """
            INSERT INTO ticket_failures (marker_id, revision, ticket_id, message, acknowledged, at) VALUES (?, ?, ?, ?, 0, ?)
            ON CONFLICT (marker_id, revision) DO UPDATE SET message = excluded.message, acknowledged = 0, at = excluded.at
            WHERE ticket_failures.message <> excluded.message
            """, [.text(markerID), .integer(Int64(revision)), .text(ticketID), .text(message), .real(date.timeIntervalSince1970)])
    }

    /// Every ticket revision that cannot be written, newest first.
    public func ticketFailures() throws -> [TicketFailure] {
        try connection.query("SELECT marker_id, revision, ticket_id, message, acknowledged FROM ticket_failures ORDER BY at DESC").map(Self.failure)
    }

    public func unacknowledgedTicketFailures() throws -> [TicketFailure] {
        try connection.query("SELECT marker_id, revision, ticket_id, message, acknowledged FROM ticket_failures WHERE acknowledged = 0 ORDER BY at")
            .map(Self.failure)
    }

    public func markFailureAcknowledged(markerID: String, revision: Int) throws {
        try connection.run(
            "UPDATE ticket_failures SET acknowledged = 1 WHERE marker_id = ? AND revision = ?", [.text(markerID), .integer(Int64(revision))])
    }

    /// Forgets a failure once the ticket revision went through.
    public func forgetTicketFailure(markerID: String, revision: Int) throws {
        try connection.run("DELETE FROM ticket_failures WHERE marker_id = ? AND revision = ?", [.text(markerID), .integer(Int64(revision))])
    }

    private static func failure(_ row: [SQLiteValue]) -> TicketFailure {
        TicketFailure(
            markerID: row[0].text ?? "", revision: Int(row[1].integer ?? 0), ticketID: row[2].text ?? "", message: row[3].text ?? "",
            acknowledged: row[4].integer == 1)
    }
}
