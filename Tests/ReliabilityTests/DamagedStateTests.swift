import Foundation
import JSON
import Simulator
import TestSupport
import Testing

@testable import StateStore

/// A spool this user may not write and a state database that is damaged, deleted, read-only or from a newer version:
/// a message that names the path, what is wrong and what to do, with the contract's exit status; `status` and `bundle`
/// go on working; and recovery (d365mm-spool(7), RECOVERY) loses and doubles nothing.
struct DamagedStateTests {
    private func database(_ harness: ConnectorHarness) -> String { harness.spoolDirectory + "/state.sqlite" }

    /// The journal lines carrying this connector's markers, by marker: what D365 holds of the labor written.
    private func markedJournalLines(_ harness: ConnectorHarness) -> [String: Int] {
        let table = harness.session.simulator.table("RouteCardProductionJournalEntries")
        var lines: [String: Int] = [:]
        for row in 0..<table.count where table.string(row: row, "JournalDescription").hasPrefix("MM-LT ") {
            lines[table.string(row: row, "JournalDescription"), default: 0] += 1
        }
        return lines
    }

    /// Whether `nobody` can run the built binary here (its folders must let others in), printing why not.
    private func unprivilegedRunsWork(_ harness: ConnectorHarness) async throws -> Bool {
        guard D365MMBinary.unprivilegedRunner != nil else {
            print("skipped: not root, or no setpriv, so the binary cannot be run as an unprivileged user here")
            return false
        }
        let probe = try await harness.run(["--version"], unprivileged: true)
        if probe.status != 0 { print("skipped: nobody cannot run \(D365MMBinary.path) here (\(probe.standardError.prefix(200)))") }
        return probe.status == 0
    }

    @Test func aSpoolThisUserMayNotWriteStopsWith77NamingItAndStatusAndBundleStillWork() async throws {
        try await withConnector(orders: 20, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            guard try await unprivilegedRunsWork(harness) else { return }
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(try await harness.run(["run", "from-erp"], changing: ["D365MM_DEBUG_CRASH_AT": "from-erp.pulled"]).killedBySignal)
            // Readable by everyone, writable by root alone: the spool of a service whose user was changed by hand.
            let tree = FileManager.default.enumerator(atPath: harness.spoolDirectory)
            chmod(harness.spoolDirectory, 0o755)
            while let relative = tree?.nextObject() as? String { chmod("\(harness.spoolDirectory)/\(relative)", 0o755) }
            let refused = try await harness.run(["run", "from-erp"], unprivileged: true)
            #expect(refused.status == 77, "\(refused.standardError)")
            #expect(refused.standardError.contains("D365MM_SPOOL_DIR (\(harness.spoolDirectory)) may not be written by this user (nobody"))
            #expect(refused.standardError.contains("must belong to the user d365mm runs as"))
            let status = try await harness.run(["status"], unprivileged: true)
            #expect(status.status == 0 && status.standardOutput.contains("from-erp success (0)"), "\(status.standardOutput)\(status.standardError)")
            #expect(status.standardOutput.contains("from-erp killed, did not finish"), "a killed run, read without the lock")
            let bundles = harness.spoolDirectory + "/../bundles"
            try FileManager.default.createDirectory(atPath: bundles, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
            let bundle = try await harness.run(["bundle", "--output", bundles], unprivileged: true)
            #expect(bundle.status == 0, "\(bundle.standardError)")
            #expect(harness.leakedSecrets(in: [refused.standardError, status.standardOutput, bundle.standardOutput, bundle.standardError]).isEmpty)
        }
    }

    @Test func aDatabaseThisUserMayNotWriteStopsWith77() async throws {
        try await withConnector(orders: 10, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            guard try await unprivilegedRunsWork(harness) else { return }
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let tree = FileManager.default.enumerator(atPath: harness.spoolDirectory)
            chown(harness.spoolDirectory, 65534, 65534)
            while let relative = tree?.nextObject() as? String { chown("\(harness.spoolDirectory)/\(relative)", 65534, 65534) }
            chown(database(harness), 0, 0)
            chmod(database(harness), 0o644)
            let refused = try await harness.run(["run", "from-erp"], unprivileged: true)
            #expect(refused.status == 77, "\(refused.standardError)")
            #expect(refused.standardError.contains("the state database \(database(harness)) cannot be written"))
        }
    }

    @Test func aDamagedDatabaseStopsWith1AndTheRecoveryItNamesLosesAndDoublesNothing() async throws {
        try await withConnector(orders: 40, laborTickets: 16, extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
            try await Invariants.settle(harness)
            let journalsBefore = markedJournalLines(harness)
            #expect(!journalsBefore.isEmpty)
            try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: database(harness)))
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database(harness) + suffix) }

            for direction in ["from-erp", "to-erp"] {
                let refused = try await harness.run(["run", direction])
                #expect(refused.status == 1, "\(refused.standardError)")
                #expect(
                    refused.standardError.contains("the state database \(database(harness)) is damaged")
                        && refused.standardError.contains("RECOVERY in d365mm-spool(7)"))
            }
            let status = try await harness.run(["status", "--json"])
            let problem = try JSONParser.parse(Array(status.standardOutput.utf8))["stateDatabaseProblem"]?.stringValue ?? ""
            #expect(status.status == 0 && problem.contains("is damaged"), "\(status.standardOutput)")
            let bundle = try await harness.run(["bundle", "--output", harness.spoolDirectory + "/.."])
            #expect(bundle.status == 0, "\(bundle.standardError)")

            // RECOVERY: move it aside and run again.
            try FileManager.default.moveItem(atPath: database(harness), toPath: database(harness) + ".damaged")
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty, "\(Invariants.problems(harness))")
            #expect(markedJournalLines(harness) == journalsBefore, "no labor was written to D365 twice")
        }
    }

    @Test func aDeletedDatabaseIsRebuiltWithoutWritingAnyLaborTwice() async throws {
        try await withConnector(orders: 40, laborTickets: 16, extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
            try await Invariants.settle(harness)
            let journalsBefore = markedJournalLines(harness)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database(harness) + suffix) }
            let again = try await harness.run(["run", "to-erp"])
            #expect([0, 2].contains(again.status), "\(again.standardError)")
            #expect(again.standardError.contains("reconciliation found"), "the journals in D365 are found again: \(again.standardError)")
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty, "\(Invariants.problems(harness))")
            #expect(markedJournalLines(harness) == journalsBefore)
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefusedNotGuessedAt() async throws {
        try await withConnector(orders: 10, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            try StateDatabase(path: database(harness)).connection.execute("PRAGMA user_version = 99")
            let refused = try await harness.run(["run", "from-erp"])
            #expect(refused.status == 1 && refused.standardError.contains("was written by a newer d365mm (schema v99"), "\(refused.standardError)")
        }
    }

    @Test func theDatabaseIsReadableByItsOwnerAlone() async throws {
        try await withConnector(orders: 10, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            func mode() throws -> Int { try FileManager.default.attributesOfItem(atPath: database(harness))[.posixPermissions] as? Int ?? -1 }
            #expect(try mode() == 0o600)
            chmod(database(harness), 0o644)  // as an earlier version left it
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(try mode() == 0o600)
        }
    }
}
