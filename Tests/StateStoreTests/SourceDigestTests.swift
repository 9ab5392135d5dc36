import Foundation
import StateStore
import Testing
import TestSupport

/// A row met again is not mapped again only while MachineMetrics holds the very record that row made.
struct SourceDigestTests {
    @Test func aRowCountsAsAcceptedOnlyWhileMachineMetricsHoldsItsRecordAsItIs() async throws {
        try await withTemporaryDirectory { directory in
            let database = try StateDatabase(path: directory + "/state.sqlite")
            let row = (collection: "work-orders", key: "usmf/P1", digest: "d-1")
            func accept(_ hash: String) throws {
                try database.recordAccepted(collection: "work-orders", [.init(key: "usmf/P1", hash: hash, inScope: true)], runID: "r1", at: Date())
            }

            try database.rememberSources([.init(collection: "work-orders", key: "usmf/P1", digest: "d-1", hash: "h-1")])
            #expect(try database.madeAcceptedRecords([row]) == [false], "made, not yet accepted")
            try accept("h-1")
            #expect(try database.madeAcceptedRecords([row, (row.collection, row.key, "d-2"), ("parts", "usmf/X", "d-1")]) == [true, false, false])

            // Accepted as something else (sent by hand, or from another row): the row must be mapped again.
            try accept("h-9")
            #expect(try database.madeAcceptedRecords([row]) == [false])

            // Remembered when MachineMetrics already holds that content: accepted at once.
            try database.rememberSources([.init(collection: "work-orders", key: "usmf/P1", digest: "d-3", hash: "h-9")])
            #expect(try database.madeAcceptedRecords([row, (row.collection, row.key, "d-3")]) == [false, true], "one row per record")
        }
    }
}
