import Foundation
import JSON
import Simulator
import Spool
import TestSupport
import Testing

/// `status` and the spool verbs, with the built binary against a spool that real runs filled.
struct StatusAndSpoolTests {
    @Test func statusShowsTheSpoolTheRunsAndWhatNeedsAttentionIn80Columns() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let failedTickets = harness.files("failed").filter { !$0.hasSuffix(".error.json") }
            let text = try await harness.run(["status"])
            #expect(text.status == 0, "\(text.standardError)")
            #expect(text.standardOutput.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(text.standardOutput)")
            #expect(text.standardOutput.contains("failed/") && text.standardOutput.contains("\(failedTickets.count), oldest"))
            #expect(text.standardOutput.contains("to-erp   partial (2)") && text.standardOutput.contains("from-erp success (0)"))
            #expect(text.standardOutput.contains("labor ticket revision(s) cannot be written"))

            let json = try await harness.run(["status", "--json"])
            let report = try JSONParser.parse(Array(json.standardOutput.utf8))
            #expect(report["folders"]?["failed"]?["to-erp"]?["count"]?.intValue == failedTickets.count)
            #expect(report["folders"]?["posted"]?["from-erp"]?["count"]?.intValue ?? 0 > 0)
            #expect(report["runs"]?.arrayValue?.count == 2 && report["runs"]?.arrayValue?.first?["outcome"]?.stringValue == "partial")
            #expect(report["ticketFailures"]?.arrayValue?.count == failedTickets.count)
            // Each count twice: by the label status has always shown, and by a stable identifier for scripts.
            let fromERP = try #require(report["runs"]?.arrayValue?.first { $0["direction"]?.stringValue == "from-erp" })
            let accepted = try #require(fromERP["countsByID"]?["records_accepted"]?.intValue)
            #expect(accepted > 0 && fromERP["counts"]?["records accepted"]?.intValue == accepted)
            #expect(harness.leakedSecrets(in: [text.standardOutput, json.standardOutput]).isEmpty)

            // Status needs only the spool: a configuration broken elsewhere does not stop it.
            let broken = try await harness.run(["status"], changing: ["D365_CLIENT_SECRET": nil, "MAPPING_SERVICE_URL": "nonsense"])
            #expect(broken.status == 0 && broken.standardOutput.contains("Last runs"))
        }
    }

    @Test func requeueHoldReleaseAndDeleteMoveItemsSafelyAndTheNextRunPicksThemUp() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let failed = harness.files("failed").filter { !$0.hasSuffix(".error.json") }
            let first = try #require(failed.first)
            let shown = try await harness.run(["spool", "show", first])
            #expect(shown.status == 0 && shown.standardOutput.contains("Why it is in failed/") && shown.standardOutput.contains("What to do"))
            let listed = try await harness.run(["spool", "ls", "failed"])
            #expect(listed.standardOutput.contains(first) && listed.standardOutput.contains("labor ticket"))

            #expect(try await harness.run(["spool", "hold", first]).status == 0)
            #expect(harness.files("hold") == [Sidecar.errorName(for: first), first], "the sidecar goes with its item")
            #expect(try await harness.run(["spool", "release", first]).status == 0)
            #expect(harness.files("inbox") == [Sidecar.errorName(for: first), first], "a ticket record goes back to inbox/, to be transformed again")
            #expect(!harness.files("failed").contains(Sidecar.errorName(for: first)))
            #expect([0, 2].contains(try await harness.run(["run", "to-erp"]).status))
            #expect(harness.files("inbox").isEmpty, "the next run took it, with its sidecar")

            let lowercase = try await harness.run(["spool", "requeue", "all"])
            #expect(lowercase.status == 64 && lowercase.standardError.contains("ALL in capitals"))
            let dryRun = try await harness.run(["spool", "delete", "ALL"])
            #expect(dryRun.status == 0 && dryRun.standardOutput.contains("Nothing was done"))
            #expect(harness.files("failed").filter { !$0.hasSuffix(".error.json") } == Array(failed.dropFirst()))
            let deleted = try await harness.run(["spool", "delete", "ALL", "--yes"])
            #expect(deleted.status == 0, "\(deleted.standardError)")
            #expect(harness.files("failed").filter { !$0.hasSuffix(".error.json") }.isEmpty)
            #expect(harness.files("archive").count == failed.count - 1, "each deleted item archived first: \(harness.files("archive"))")
            let outside = try await harness.run(["spool", "show", "../../../etc/hostname"])
            let hostname = try String(contentsOfFile: "/etc/hostname", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(outside.status == 64 && outside.standardError.contains("without a folder or `..`"), "\(outside.standardError)")
            #expect(!outside.standardOutput.contains(hostname) || hostname.isEmpty, "nothing outside the spool is read")
            let missing = try await harness.run(["spool", "requeue", "no-such-item.json"])
            #expect(missing.status == 2 && missing.standardError.contains("is not in failed/ or hold/"))
        }
    }

    @Test func aChangingVerbWaitsForTheRunsLockAndGivesUpWith73() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let lock = try SpoolLock.acquire(Spool(root: harness.spoolDirectory))
            let started = Date()
            let refused = try await harness.run(["spool", "purge", "--wait", "1"])
            #expect(refused.status == 73 && Date().timeIntervalSince(started) >= 1)
            withExtendedLifetime(lock) {}
        }
    }

    @Test func aFileMovedByHandFromFailedIsPickedUpByTheNextRun() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let item = try #require(harness.files("failed").first { !$0.hasSuffix(".error.json") })
            try FileManager.default.moveItem(atPath: "\(harness.spoolDirectory)/failed/\(item)", toPath: "\(harness.spoolDirectory)/inbox/\(item)")
            let run = try await harness.run(["run", "to-erp"])
            #expect([0, 2].contains(run.status), "\(run.standardError)")
            #expect(harness.files("inbox").isEmpty && harness.files("posted").contains(item))
        }
    }
}
