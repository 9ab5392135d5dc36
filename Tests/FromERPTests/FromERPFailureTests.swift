import Foundation
import Simulator
import Spool
import TestSupport
import Testing

/// Bad input and failing remotes: each gets a clear answer, the right exit status, and loses nothing.
struct FromERPFailureTests {
    let runs = FromERPRunTests()

    @Test func aConfigurationErrorNamesEveryVariableAndExits78WithoutEchoingSecrets() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(
                ["run", "from-erp"],
                changing: [
                    "D365_CLIENT_ID": "not-a-guid", "MAPPING_SERVICE_URL": "ftp://mm.example.com", "D365_DEFAULT_SITE_ID": nil,
                    "D365_ENVIRONMENT_HOST": "http://contoso.operations.dynamics.com",
                ])
            #expect(result.status == 78)
            for name in [
                "D365_CLIENT_ID (D365 Client Id)", "MAPPING_SERVICE_URL (Mapping Service URL)", "D365_DEFAULT_SITE_ID (D365 Default Site Id)",
                "D365_ENVIRONMENT_HOST (D365 Environment Host)",
            ] {
                #expect(result.standardError.contains(name), "\(name) not named")
            }
            #expect(harness.leakedSecrets(in: [result.standardOutput, result.standardError]).isEmpty)
            #expect(harness.session.simulator.requestLog.entries.isEmpty, "nothing is sent with a bad configuration")
        }
    }

    @Test func configCheckMasksSecretsAndAcceptsAHostPastedAsAURL() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            let host = harness.environment["D365_ENVIRONMENT_HOST"]!
            let check = try await harness.run(["config", "check"], changing: ["D365_ENVIRONMENT_HOST": host + "/"])
            #expect(check.status == 0, "\(check.standardError)")
            #expect(check.standardOutput.contains("D365_CLIENT_SECRET") && check.standardOutput.contains("********"))
            #expect(harness.leakedSecrets(in: [check.standardOutput, check.standardError]).isEmpty)
            let run = try await harness.run(["run", "from-erp"], changing: ["D365_ENVIRONMENT_HOST": host + "/"])
            #expect(run.status == 0, "\(run.standardError)")
        }
    }

    @Test func aWrongSecretExits77WithTheSeedsAdvice() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"], changing: ["D365_CLIENT_SECRET": "wrong~secret.value.123"])
            #expect(result.status == 77)
            #expect(result.standardError.contains("AADSTS7000215"))
            #expect(result.standardError.contains("Verify Tenant ID, Client ID, and Client Secret"))
            #expect(!result.standardError.contains("wrong~secret.value.123"))
        }
    }

    @Test func anExpiredSecretSaysToRegenerateIt() async throws {
        try await runs.withConnector({ $0.clientSecretExpired = true }) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 77)
            #expect(result.standardError.contains("Regenerate the client secret in Azure"))
        }
    }

    @Test func a403NamesTheEntityAndThePrivilegeAndExits77() async throws {
        try await runs.withConnector({ $0.missingPrivileges = ["ProdRouteOperationsEntityView"] }) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 77)
            #expect(result.standardError.contains("ProductionOrderRouteOperations"))
            #expect(result.standardError.contains("ProdRouteOperationsEntityView"))
            #expect(result.standardError.contains("Option B"))
        }
    }

    @Test func aPageThatIsNotJSONStopsTheRunWith75AndTheNextRunCompletes() async throws {
        try await runs.withConnector({ $0.faults = [FaultRule(service: .d365, path: "ProductionOrderRouteOperations", action: .notJSON, times: nil)] }
        ) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 75)
            #expect(result.standardError.contains("not complete JSON"))
            #expect(harness.files("failed").isEmpty)
            harness.session.simulator.clearFaults()
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            for (collection, keys) in ExpectedFromERP(harness.session.simulator).byCollection {
                #expect(Set(harness.session.simulator.receivedRecords(collection).keys) == keys)
            }
        }
    }

    @Test func aTruncatedPageIsFetchedAgain() async throws {
        try await runs.withConnector({ $0.faults = [FaultRule(service: .d365, path: "ProductionOrderHeaders", action: .truncate, times: 1)] }) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("not complete JSON"))
            #expect(Set(harness.session.simulator.receivedRecords("work-orders").keys) == ExpectedFromERP(harness.session.simulator).workOrders)
        }
    }

    @Test func throttlingIsWaitedOutWithinTheBudgetAndBeyondItExits75() async throws {
        try await runs.withConnector({ $0.faults = [try! FaultRule(parsing: "service=d365,path=Workers,status=429,retry-after=1,times=1")] }) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("Retry-After"))
        }
        try await runs.withConnector({ $0.faults = [try! FaultRule(parsing: "service=d365,path=Workers,status=429,retry-after=3,times=always")] }) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"], changing: ["D365MM_RETRY_BUDGET_SECONDS": "4"])
            #expect(result.status == 75)
            #expect(result.standardError.contains("D365MM_RETRY_BUDGET_SECONDS"))
            #expect(!harness.files("inbox").isEmpty || !harness.files("posted").isEmpty, "what was pulled stays in the spool")
        }
    }

    @Test func machineMetricsDownForTheWholeRunLeavesTheBatchesQueued() async throws {
        try await runs.withConnector({ $0.faults = [FaultRule(service: .mm, path: "/v1/erp/", action: .hangUp, times: nil)] }) {
            (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 75)
            let queued = harness.files("outbound")
            #expect(!queued.isEmpty)
            #expect(harness.session.simulator.receivedRecords("work-orders").isEmpty)
            let second = try await harness.run(["run", "from-erp"])
            #expect(second.status == 75)
            #expect(harness.files("outbound") == queued, "a run that cannot deliver does not pile up new batches")
            harness.session.simulator.clearFaults()
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(harness.files("outbound").isEmpty)
            for (collection, keys) in ExpectedFromERP(harness.session.simulator).byCollection {
                #expect(Set(harness.session.simulator.receivedRecords(collection).keys) == keys)
            }
        }
    }

    @Test(arguments: ["inbox", "outbound"])
    func garbageAndTruncatedFilesGoToFailedWithAReasonAndTheRestGoesThrough(_ folder: String) async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let posted = try #require(
                harness.files("posted").first { $0.contains(folder == "inbox" ? "_from-erp_pages_" : "_work-orders_") && !$0.contains(".receipt") }
            )
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(harness.spoolDirectory)/posted/\(posted)"))
            try Data("this is not json at all".utf8).write(to: URL(fileURLWithPath: "\(harness.spoolDirectory)/\(folder)/garbage.txt"))
            try original.prefix(original.count / 2).write(
                to: URL(fileURLWithPath: "\(harness.spoolDirectory)/\(folder)/20260101T000000Z_rcut000_from-erp_truncated_0001.json"))
            try Data().write(to: URL(fileURLWithPath: "\(harness.spoolDirectory)/\(folder)/empty.json"))
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 2, "\(result.standardError)")
            let failed = harness.files("failed")
            for name in ["garbage.txt", "20260101T000000Z_rcut000_from-erp_truncated_0001.json", "empty.json"] {
                #expect(failed.contains(name))
                let sidecar = name.hasSuffix(".json") ? String(name.dropLast(5)) + ".error.json" : name + ".error.json"
                #expect(failed.contains(sidecar))
                let text = try String(contentsOfFile: "\(harness.spoolDirectory)/failed/\(sidecar)", encoding: .utf8)
                #expect(text.contains("\"reason\"") && text.contains("\"whatToDo\""))
            }
            #expect(harness.files(folder).isEmpty)
            #expect(Set(harness.session.simulator.receivedRecords("work-orders").keys) == ExpectedFromERP(harness.session.simulator).workOrders)
        }
    }

    @Test func aBatchMovedBackByHandIsSentAgainAsTheSameBatch() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let batch = try #require(harness.files("posted").first { $0.contains("_work-orders_") && !$0.contains(".receipt") })
            try FileManager.default.moveItem(
                atPath: "\(harness.spoolDirectory)/posted/\(batch)", toPath: "\(harness.spoolDirectory)/outbound/\(batch)")
            let puts = harness.session.simulator.requestLog.count(service: .mm, method: "PUT")
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0)
            #expect(harness.session.simulator.requestLog.count(service: .mm, method: "PUT") == puts + 1, "the re-driven batch is sent")
            #expect(
                harness.session.simulator.receivedRecords("work-orders").values.allSatisfy { $0.timesReceived == 1 },
                "as the same batch: MachineMetrics replays it")
            #expect(harness.files("outbound").isEmpty)
        }
    }

    @Test func aSecondRunWhileTheLockIsHeldExits73() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            let spool = Spool(root: harness.spoolDirectory)
            try spool.create()
            let lock = try SpoolLock.acquire(spool)
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 73)
            #expect(result.standardError.contains("holds the spool lock") && result.standardError.contains("pid \(getpid())"))
            #expect(harness.session.simulator.requestLog.entries.isEmpty)
            withExtendedLifetime(lock) {}
        }
    }

    @Test func aTokenThatExpiresMidPullIsRenewedAndTheRunCompletes() async throws {
        try await runs.withConnector({
            $0.faults = [FaultRule(service: .d365, path: "ProductionOrderRouteOperations", action: .expireTokens, after: 2, times: 1)]
        }) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(harness.session.simulator.requestLog.count(service: .entra) == 2)
            #expect(Set(harness.session.simulator.receivedRecords("operations").keys) == ExpectedFromERP(harness.session.simulator).operations)
        }
    }

    @Test func logLinesCarryTheRunIDAndJournalPrioritiesAndDebugShowsQueries() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"], changing: ["LOG_LEVEL": "debug"], toJournal: true)
            #expect(result.status == 0)
            let lines = result.standardError.split(separator: "\n")
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { $0.range(of: #"^<[0-7]>\[r[0-9a-f]{6}\] "#, options: .regularExpression) != nil }, "\(lines.prefix(3))")
            #expect(lines.contains { $0.hasPrefix("<7>") && $0.contains("GET ") && $0.contains("/data/ProductionOrderHeaders?cross-company=true") })
            #expect(harness.leakedSecrets(in: [result.standardError]).isEmpty)
            // Redirected to a file or a pipe, even one that inherited JOURNAL_STREAM from a service, lines carry a time and level.
            for stream in [nil, "1:1"] {
                let plain = try await harness.run(["run", "from-erp"], changing: ["JOURNAL_STREAM": stream])
                let plainLines = plain.standardError.split(separator: "\n")
                #expect(!plainLines.isEmpty)
                #expect(
                    plainLines.allSatisfy {
                        $0.range(
                            of: #"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z (debug|info |warn |error) \[r[0-9a-f]{6}\] "#, options: .regularExpression)
                            != nil
                    }, "\(plainLines.prefix(3))")
            }
            let quiet = try await harness.run(["run", "from-erp"], changing: ["LOG_LEVEL": "error"])
            #expect(quiet.status == 0)
            #expect(quiet.standardError.isEmpty)
        }
    }
}

/// Recovery, retries and operators acting while a run is under way.
struct FromERPRecoveryTests {
    let runs = FromERPRunTests()

    @Test func staleTemporaryFilesOfACrashedRunAreRemoved() async throws {
        try await runs.withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            try Data("half a page".utf8).write(
                to: URL(fileURLWithPath: harness.spoolDirectory + "/tmp/.20261121T000000Z_rdead00_from-erp_work-orders_0001.json.123"))
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0)
            #expect(result.standardError.contains("removed 1 unfinished temporary file"))
            #expect((try FileManager.default.contentsOfDirectory(atPath: harness.spoolDirectory + "/tmp")).isEmpty)
        }
    }

    @Test func aBurstOf5xxIsRetriedWithBackoff() async throws {
        try await runs.withConnector({
            $0.faults = [
                try! FaultRule(parsing: "service=d365,path=ProductionOrderHeaders,status=500,times=2"),
                try! FaultRule(parsing: "service=mm,path=/v1/erp/operations,status=502,times=1"),
            ]
        }) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("answered 500; trying again"))
            #expect(result.standardError.contains("answered 502; trying again"))
            #expect(harness.session.simulator.faultsFired() == [2, 1])
            #expect(Set(harness.session.simulator.receivedRecords("operations").keys) == ExpectedFromERP(harness.session.simulator).operations)
        }
    }

    @Test func aBatchAnOperatorMovesAwayMidRunIsLeftAloneAndSentWhenMovedBack() async throws {
        try await runs.withConnector({ $0.faults = [FaultRule(service: .mm, path: "/v1/erp/", action: .hangUp, times: nil)] }) {
            (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 75)
            let target = try #require(harness.files("outbound").first { $0.contains("_work-orders_") })
            harness.session.simulator.clearFaults()
            // The run stops right after MachineMetrics accepted its first batch; the operator parks a later one then.
            let pause = harness.spoolDirectory + "/../resume"
            let running = try D365MMBinary.start(
                ["run", "from-erp"],
                environment: harness.environment(changing: [
                    "D365MM_DEBUG_PAUSE_AT": "mm.batch-recorded@1", "D365MM_DEBUG_PAUSE_FILE": pause,
                ]))
            for _ in 0..<1200 where !FileManager.default.fileExists(atPath: pause + ".paused") {
                try await Task.sleep(for: .milliseconds(50))
            }
            try FileManager.default.moveItem(
                atPath: "\(harness.spoolDirectory)/outbound/\(target)", toPath: "\(harness.spoolDirectory)/hold/\(target)")
            _ = FileManager.default.createFile(atPath: pause, contents: nil)
            let result = await running.wait()
            let log = result.standardError
            // The queued operations of the held orders are rejected (their work orders are not in MachineMetrics yet), so the
            // run needs an operator; the fresh pull of the same run sends the orders and those operations again.
            #expect(result.status == 2, "\(log)")
            #expect(log.contains("outbound/\(target) was moved away before it was sent"))
            #expect(log.contains("InvalidReference"))
            #expect(harness.files("hold") == [target], "the operator's file is untouched")
            let expected = ExpectedFromERP(harness.session.simulator)
            #expect(Set(harness.session.simulator.receivedRecords("work-orders").keys) == expected.workOrders)
            #expect(Set(harness.session.simulator.receivedRecords("operations").keys) == expected.operations)
            try FileManager.default.moveItem(
                atPath: "\(harness.spoolDirectory)/hold/\(target)", toPath: "\(harness.spoolDirectory)/outbound/\(target)")
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(harness.files("outbound").isEmpty && harness.files("posted").contains(target))
        }
    }
}
