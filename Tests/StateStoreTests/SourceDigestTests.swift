import Foundation
import Hashing
import StateStore
import TestSupport
import Testing

/// A row met again is not mapped again only while MachineMetrics holds the very record that row made.
struct SourceDigestTests {
    @Test func aRowCountsAsAcceptedOnlyWhileMachineMetricsHoldsItsRecordAsItIs() async throws {
        try await withTemporaryDirectory { directory in
            let database = try StateDatabase(path: directory + "/state.sqlite")
            let row = (key: "usmf/P1", digest: digest("d-1"))
            func accept(_ hash: String) throws {
                try database.recordAccepted(collection: "work-orders", [.init(key: "usmf/P1", hash: hash, inScope: true)], runID: "r1", at: Date())
            }

            try database.rememberSources([.init(collection: "work-orders", key: "usmf/P1", digest: digest("d-1"), hash: "h-1")])
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [row]) == [false], "made, not yet accepted")
            try accept("h-1")
            #expect(
                try database.madeAcceptedRecords(collection: "work-orders", [row, (row.key, digest("d-2")), ("usmf/X", digest("d-x"))]) == [
                    true, false, false,
                ])
            #expect(try database.madeAcceptedRecords(collection: "parts", [row]) == [false], "the same key in another collection")

            // Accepted as something else (sent by hand, or from another row): the row must be mapped again.
            try accept("h-9")
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [row]) == [false])

            // Remembered when MachineMetrics already holds that content: accepted at once.
            try database.rememberSources([.init(collection: "work-orders", key: "usmf/P1", digest: digest("d-3"), hash: "h-9")])
            #expect(
                try database.madeAcceptedRecords(collection: "work-orders", [row, (row.key, digest("d-3"))]) == [false, true], "one row per record")
        }
    }

    @Test func rowsRememberedUnderAnotherRevisionOrScopeAreForgottenForTheirCollectionAlone() async throws {
        try await withTemporaryDirectory { directory in
            let database = try StateDatabase(path: directory + "/state.sqlite")
            for collection in ["work-orders", "parts"] {
                try database.useSourceDigests(collection: collection, madeUnder: "revision 1")
                try database.rememberSources([.init(collection: collection, key: "usmf/P1", digest: digest("d-1"), hash: "h-1")])
                try database.recordAccepted(collection: collection, [.init(key: "usmf/P1", hash: "h-1", inScope: true)], runID: "r1", at: Date())
            }
            let row = (key: "usmf/P1", digest: digest("d-1"))

            try database.useSourceDigests(collection: "work-orders", madeUnder: "revision 1")
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [row]) == [true], "the same revision keeps them")
            try database.useSourceDigests(collection: "work-orders", madeUnder: "revision 2")
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [row]) == [false], "the row must be mapped again")
            #expect(try database.madeAcceptedRecords(collection: "parts", [row]) == [true], "another collection keeps its own")
            #expect(try database.acceptedHashes([("work-orders", "usmf/P1")]) == ["h-1"], "what MachineMetrics holds stays known")

            try database.rememberSources([.init(collection: "work-orders", key: "usmf/P1", digest: digest("d-1"), hash: "h-1")])
            try database.useSourceDigests(collection: "work-orders", madeUnder: "revision 2")
            #expect(try database.madeAcceptedRecords(collection: "work-orders", [row]) == [true], "remembered anew under revision 2")
        }
    }

    @Test func everyRowOfAPageIsAnsweredWhereverItsKeysLieAmongTheStoredOnes() async throws {
        try await withTemporaryDirectory { directory in
            let database = try StateDatabase(path: directory + "/state.sqlite")
            // Keys whose order by UTF-8 bytes (SQLite's) differs from Swift's: "e" + combining acute sorts before "é".
            let keys = (0..<600).map { String(format: "usmf/P%05d/10/Primary", $0) } + ["usmf/e\u{301}x", "usmf/\u{e9}a"]
            try database.rememberSources(keys.map { .init(collection: "operations", key: $0, digest: digest("d-" + $0), hash: "h-" + $0) })
            try database.recordAccepted(
                collection: "operations", keys.map { .init(key: $0, hash: "h-" + $0, inScope: true) }, runID: "r1", at: Date())
            let changed: Set = [keys[7], keys[599]]
            func rows(_ page: [String]) -> [(key: String, digest: SHA256Bytes)] {
                page.map { ($0, digest(changed.contains($0) ? "d-new" : "d-" + $0)) }
            }
            func expected(_ page: [String]) -> [Bool] { page.map { keys.contains($0) && !changed.contains($0) } }

            // A dense page, out of order, with a key never stored: one walk through the stored keys answers it.
            let dense = (Array(keys[0..<300]) + ["usmf/P00150/20/Primary"] + keys[600...] + [keys[599]]).shuffled()
            #expect(try database.madeAcceptedRecords(collection: "operations", rows(dense)) == expected(dense))

            // A page already in key order.
            let ordered = Array(keys[100..<250]) + [keys[599]]
            #expect(try database.madeAcceptedRecords(collection: "operations", rows(ordered)) == expected(ordered))

            // Unchanged rows are matched by digest: only the first and the last row's keys are worked out.
            let unchanged = rows(Array(keys[300..<400]))
            var keysAskedFor: [Int] = []
            let answers = try database.madeAcceptedRecords(collection: "operations", digests: unchanged.map(\.digest)) { index in
                keysAskedFor.append(index)
                return unchanged[index].key
            }
            #expect(answers == Array(repeating: true, count: 100) && Set(keysAskedFor) == [0, 99])

            // A sparse page spans far more stored keys than it holds: the keys the walk gives up on are looked up.
            let sparse = (stride(from: 3, to: 600, by: 40).map { keys[$0] } + [keys[7], "usmf/P99999/10/Primary"]).shuffled()
            #expect(try database.madeAcceptedRecords(collection: "operations", rows(sparse)) == expected(sparse))
        }
    }

    private func digest(_ text: String) -> SHA256Bytes { SHA256Bytes(digesting: Array(text.utf8)) }
}

extension StateDatabase {
    /// A page's rows as the transform has them: each row's key, worked out only when asked for, and its digest.
    func madeAcceptedRecords(collection: String, _ rows: [(key: String, digest: SHA256Bytes)]) throws -> [Bool] {
        try madeAcceptedRecords(collection: collection, digests: rows.map(\.digest)) { rows[$0].key }
    }
}
