import Foundation
import Simulator
import TestSupport
import Testing

/// A `SIGKILL` at every stage boundary and inside every multi-step operation of both directions (the debug build's
/// `D365MM_DEBUG_CRASH_AT`), then further runs: nothing is lost, nothing is doubled, nothing is left in `tmp/`.
struct CrashPointTests {
    /// Every crash point in the code, with the visit to die at. Each entry is one test case.
    static let crashPoints = [
        // the spool's own steps, at the first, and at a later, file of a run
        "spool.temp-written@1", "spool.temp-written@7", "spool.renamed@1", "spool.renamed@9", "spool.moved@1", "spool.moved@4",
        // from-erp
        "from-erp.pulled", "from-erp.pages-named", "from-erp.batch-written@1", "from-erp.batch-written@3", "from-erp.transformed",
        "mm.batch-accepted@1", "mm.batch-accepted@4", "mm.batch-recorded@1", "mm.batch-recorded@5",
        // to-erp
        "to-erp.reconciled", "to-erp.pulled", "to-erp.transformed", "to-erp.batch-sending", "to-erp.batch-answered",
        "to-erp.journal-recorded@1", "to-erp.journal-recorded@15", "to-erp.journals-recorded", "to-erp.acknowledged", "to-erp.posting-answered",
        // bookkeeping and archiving
        "run.recording-outcome", "archive.verified", "archive.published", "archive.removed-one@3",
    ]

    @Test(arguments: crashPoints)
    func aKillHereLosesAndDoublesNothing(_ crashPoint: String) async throws {
        try await withConnector(orders: 80, laborTickets: 24, extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"]) {
            (harness: ConnectorHarness) async throws in
            if crashPoint.hasPrefix("archive.") {
                // Finished work to archive: a first round, aged past D365MM_ARCHIVE_AFTER.
                try await Invariants.settle(harness, rounds: 1)
                for folder in ["posted", "log"] {
                    for name in harness.files(folder) {
                        try FileManager.default.setAttributes(
                            [.modificationDate: Date().addingTimeInterval(-3 * 86_400)],
                            ofItemAtPath: "\(harness.spoolDirectory)/\(folder)/\(name)")
                    }
                }
            }
            let before = Set(harness.files("posted"))
            var killed = 0
            for direction in ["from-erp", "to-erp"] {
                let result = try await harness.run(["run", direction], changing: ["D365MM_DEBUG_CRASH_AT": crashPoint])
                if result.killedBySignal { killed += 1 }
                #expect(result.killedBySignal || [0, 2].contains(result.status), "\(direction): \(result.status) \(result.standardError)")
            }
            #expect(killed >= 1, "\(crashPoint) was reached by neither direction")
            try await Invariants.settle(harness)
            let problems = Invariants.problems(harness)
            #expect(problems.isEmpty, "after a kill at \(crashPoint): \(problems)")
            // Whatever was in posted/ is still there or inside an archive.
            let archived = try archivedNames(harness)
            let lost = before.filter { !harness.files("posted").contains($0) && !archived.contains("posted/\($0)") }
            #expect(lost.isEmpty, "files gone without an archive: \(lost)")
        }
    }

    private func archivedNames(_ harness: ConnectorHarness) throws -> Set<String> {
        var names = Set<String>()
        for archive in harness.files("archive") {
            let listing = Process()
            listing.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
            listing.arguments = ["tzf", "\(harness.spoolDirectory)/archive/\(archive)"]
            let output = Pipe()
            listing.standardOutput = output
            try listing.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            listing.waitUntilExit()
            names.formUnion(text.split(separator: "\n").map(String.init))
        }
        return names
    }
}
