import Foundation
import Hashing
import TestSupport
import Testing

@testable import StateStore

/// A state database written by an earlier version keeps everything it knew when a newer version opens it.
struct MigrationTests {
    @Test func aVersion2DatabaseKeepsItsTicketWritesAsLines() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            do {
                let connection = try Connection(path: path)
                try connection.transaction {
                    for migration in StateSchema.migrations.prefix(2) { try connection.execute(migration) }
                    try connection.execute("PRAGMA user_version = 2")
                }
                try connection.run(
                    """
                    INSERT INTO ticket_writes (marker_id, revision, ticket_id, entity_set, journal_number, line_number, source, written_at,
                        order_number, operation, priority, hours, good, bad, acknowledged, posted)
                    VALUES ('lt_1', 1, 'lt_1', 'RouteCardProductionJournalEntries', 'JN-000001', '1', 'run', 1000, 'P1', 10, 'Primary', '1.5', '40', '0', 1, 0)
                    """)
            }
            let database = try StateDatabase(path: path)
            #expect(try database.connection.query("PRAGMA user_version").first?.first?.integer == Int64(StateSchema.migrations.count))
            let write = try #require(try database.ticketWrites(markerIDs: ["lt_1"]).first)
            #expect(write.part == .line && write.journalNumber == "JN-000001" && write.acknowledged && !write.posted)
            #expect(write.line?.hours == Decimal(string: "1.5") && write.line?.good == 40 && write.line?.operation == 10)
            #expect(write.writtenAt == Date(timeIntervalSince1970: 1000))
        }
    }

    /// v5 kept row digests as hex text, v6 as bytes; both were of the row after its revision, scope and entity set.
    @Test(arguments: [5, 6])
    func anEarlierDatabaseDropsItsRowDigestsButKeepsWhatMachineMetricsHolds(version: Int) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let digest = SHA256Bytes(digesting: Array("row".utf8))
            do {
                let connection = try Connection(path: path)
                try connection.transaction {
                    for migration in StateSchema.migrations.prefix(version) { try connection.execute(migration) }
                    try connection.execute("PRAGMA user_version = \(version)")
                }
                try connection.run("INSERT INTO record_hashes VALUES ('work-orders', 'usmf/P1', 'h-1', 1, 1000, 'r1')")
                try connection.run(
                    "INSERT INTO source_digests VALUES ('work-orders', 'usmf/P1', ?, 'h-1', 1)",
                    [version == 5 ? .text(digest.hex) : .blob(digest.bytes)])
            }
            let database = try StateDatabase(path: path)
            #expect(try database.connection.query("PRAGMA user_version").first?.first?.integer == Int64(StateSchema.migrations.count))
            // The row is mapped once more; its record is not sent again, as MachineMetrics is known to hold it.
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [("usmf/P1", digest)]) == [false])
            #expect(try database.acceptedHashes([("work-orders", "usmf/P1")]) == ["h-1"])
            try database.useSourceDigests(collection: "work-orders", madeUnder: "revision 1")
            try database.rememberSources([.init(collection: "work-orders", key: "usmf/P1", digest: digest, hash: "h-1")])
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [("usmf/P1", digest)]) == [true])
        }
    }
}
