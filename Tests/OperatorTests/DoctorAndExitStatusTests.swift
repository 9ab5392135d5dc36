import Foundation
import Simulator
import Spool
import TestSupport
import Testing

/// `doctor`'s live checks, and every exit status of the contract from the built binary.
struct DoctorAndExitStatusTests {
    private func withWorld(_ configure: (inout SimulatorOptions) -> Void = { _ in }, _ body: (ConnectorHarness) async throws -> Void) async throws {
        try await withConnector(
            orders: 60, laborTickets: 12, configure: configure, extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"], body)
    }

    @Test func doctorPassesEveryCheckOnAHealthyInstallationAndWritesNothing() async throws {
        try await withWorld { (harness: ConnectorHarness) async throws in
            let journalLines = harness.session.simulator.table("RouteCardProductionJournalEntries").count
            let result = try await harness.run(["doctor"])
            #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            let lines = result.standardOutput.split(separator: "\n")
            #expect(lines.filter { $0.hasPrefix("PASS") }.count == 13 && !lines.contains { $0.hasPrefix("FAIL") })
            for check in [
                "token", "read Workers", "write RouteCardProductionJournalEntries", "posting action PostJournal", "MachineMetrics",
                "orders of usmf site 1",
            ] {
                #expect(result.standardOutput.contains("PASS  \(check)"), "\(check)")
            }
            #expect(harness.session.simulator.table("RouteCardProductionJournalEntries").count == journalLines, "the write probe left nothing")
        }
    }

    @Test func doctorNamesAMissingPrivilegeWithTheSeedsFixAndExits77() async throws {
        try await withWorld({ $0.missingPrivileges = ["HcmWorkerEntityView", "ProdRouteCardJournalEntryEntityMaintain"] }) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["doctor"])
            #expect(result.status == 77)
            #expect(result.standardOutput.contains("FAIL  read Workers") && result.standardOutput.contains("HcmWorkerEntityView"))
            #expect(result.standardOutput.contains("See Option B in Step 2."))
            #expect(
                result.standardOutput.contains("FAIL  write RouteCardProductionJournalEntries")
                    && result.standardOutput.contains("ProdRouteCardJournalEntryEntityMaintain"))
            #expect(result.standardOutput.contains("Confirm Write LTs to D365 is true and the service account has the Maintain privilege"))
            #expect(result.standardOutput.contains("PASS  read ProductionOrderHeaders"), "the other checks still run")
        }
    }

    @Test func doctorFailuresExitWithTheMostSeriousCode() async throws {
        try await withWorld({ $0.postingAction = nil }) { (harness: ConnectorHarness) async throws in
            let noOrders = try await harness.run(["doctor"], changing: ["D365_DEFAULT_SITE_ID": "999"])
            #expect(noOrders.status == 78, "a site without orders is a configuration problem")
            #expect(noOrders.standardOutput.contains("Verify D365 Default Site Id and D365 Default Data Area Id match actual D365 values"))
            #expect(noOrders.standardOutput.contains("FAIL  posting action PostJournal"))
            let wrongSecret = try await harness.run(["doctor"], changing: ["D365_CLIENT_SECRET": "wrong~secret.value.123"])
            #expect(wrongSecret.status == 77 && wrongSecret.standardOutput.contains("AADSTS7000215"))
            #expect(wrongSecret.standardOutput.contains("Verify Tenant ID, Client ID, and Client Secret."))
            #expect(!wrongSecret.standardOutput.contains("wrong~secret.value.123"))
            let unreachable = try await harness.run(
                ["doctor"], changing: ["MAPPING_SERVICE_URL": "http://127.0.0.1:9/mm/api", "MAPPING_AUTH_SERVICE_URL": "http://127.0.0.1:9/mm/auth"])
            #expect(unreachable.status == 78, "the posting action is still missing, and outranks an unreachable MachineMetrics")
            #expect(unreachable.standardOutput.contains("FAIL  MachineMetrics"))
        }
    }

    @Test func everyExitStatusOfTheContract() async throws {
        try await withWorld { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "sideways"]).status == 64, "usage error")
            #expect(try await harness.run(["run", "from-erp"], changing: ["D365_TENANT_ID": nil]).status == 78, "configuration error")
            #expect(
                try await harness.run(["run", "from-erp"], changing: ["D365_CLIENT_SECRET": "wrong~secret.value.123"]).status == 77,
                "authentication refused")
            #expect(
                try await harness.run(["run", "from-erp"], changing: ["MAPPING_AUTH_SERVICE_URL": "http://127.0.0.1:9/mm/auth"]).status == 75,
                "MachineMetrics unreachable")
            #expect(try await harness.run(["run", "from-erp"]).status == 0, "success")
            #expect(try await harness.run(["run", "to-erp"]).status == 2, "tickets that cannot be written need an operator")
            do {
                let lock = try SpoolLock.acquire(Spool(root: harness.spoolDirectory))
                #expect(try await harness.run(["run", "to-erp"]).status == 73, "another run holds the lock")
                withExtendedLifetime(lock) {}
            }
            try Array("not a database".utf8).withUnsafeBytes {
                try Data($0).write(to: URL(fileURLWithPath: harness.spoolDirectory + "/state.sqlite"))
            }
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: harness.spoolDirectory + "/state.sqlite" + suffix) }
            let broken = try await harness.run(["run", "from-erp"])
            #expect(
                broken.status == 1 && broken.standardError.contains("state.sqlite"),
                "an unexpected internal error names the file: \(broken.standardError)")
        }
    }
}
