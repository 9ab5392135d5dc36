import Foundation
import Simulator
import TestSupport
import Testing

/// The remote faults the field will bring, each against both directions' invariants once it has passed.
/// (Throttling within and beyond the budget, 5xx bursts, expiring tokens, pages that are not JSON or cut short, a lost
/// answer to a committed write and MachineMetrics down for a whole run have their own tests in FromERPTests and
/// ToERPTests; the randomised runs mix them all.)
struct RemoteFaultTests {
    private func withWorld(_ faults: [String], _ body: (ConnectorHarness) async throws -> Void) async throws {
        try await withConnector(
            orders: 40, laborTickets: 12, configure: { options in options.faults = faults.map { try! FaultRule(parsing: $0) } },
            extra: ["WRITE_LTS_TO_D365": "true"], body)
    }

    @Test func aNextLinkThatLoopsIsDetectedNotFollowedForever() async throws {
        try await withWorld(["service=d365,path=ProductionOrderRouteOperations,loop-next-link,times=always"]) {
            (harness: ConnectorHarness) async throws in
            harness.session.simulator.setPageSize(50)
            let looped = try await harness.run(["run", "from-erp"])
            #expect(looped.status == 1, "\(looped.standardError)")
            #expect(looped.standardError.contains("sent the same @odata.nextLink twice"))
            #expect(harness.session.simulator.requestLog.count(service: .d365, path: "ProductionOrderRouteOperations") < 50, "it stopped at once")
            harness.session.simulator.clearFaults()
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty)
        }
    }

    @Test func aMachineMetricsAnswerSlowerThanItsTimeoutIsRetriedAndNothingIsDoubled() async throws {
        try await withWorld(["service=mm,method=PUT,path=/v1/erp/parts,slow=7,times=1"]) { (harness: ConnectorHarness) async throws in
            let run = try await harness.run(["run", "from-erp"], changing: ["MM_API_TIMEOUT_SECONDS": "2", "MM_API_RETRY_ATTEMPTS": "2"])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(harness.session.simulator.faultsFired() == [1])
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty)
            #expect(harness.session.simulator.receivedRecords("parts").values.allSatisfy { $0.timesReceived == 1 }, "the retried batch was a replay")
        }
    }

    /// 503 with `Retry-After: 1` for every batch once kept a run retrying for five minutes, a log line a second.
    @Test func machineMetricsRetryAfterIsBoundedByItsRetryAttemptsAndSaidOnce() async throws {
        try await withWorld(["service=mm,method=PUT,status=503,retry-after=1,times=always"]) { (harness: ConnectorHarness) async throws in
            let settings = ["MM_API_RETRY_ATTEMPTS": "3", "D365MM_RETRY_BUDGET_SECONDS": "300"]
            let started = Date()
            let down = try await harness.run(["run", "from-erp"], changing: settings)
            #expect(down.status == 75, "\(down.standardError)")
            #expect(Date().timeIntervalSince(started) < 60)
            #expect(harness.session.simulator.requestLog.count(service: .mm, method: "PUT") == 4, "one batch, sent once and retried 3 times")
            #expect(down.standardError.contains("after 3 retries (MM_API_RETRY_ATTEMPTS)"), "\(down.standardError)")
            let retryLines = down.standardError.split(separator: "\n").filter { $0.contains("answered 503") }
            #expect(retryLines.count == 2, "the first wait, and one line summing up the rest: \(retryLines)")
            #expect(!harness.files("outbound").isEmpty, "the work stays queued")
            let runLog = try String(contentsOfFile: "\(harness.spoolDirectory)/log/\(try #require(harness.files("log").last))", encoding: .utf8)
            #expect(
                runLog.split(separator: "\n").last?.contains("run from-erp finished: temporary-failure (exit 75)") == true,
                "the run's own log ends with its outcome")
            harness.session.simulator.clearFaults()
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty)
        }
    }

    @Test func d365ThrottlingWithinTheBudgetIsWaitedOutAndSummedUp() async throws {
        try await withWorld(["service=d365,path=ProductionOrderHeaders,status=429,retry-after=1,times=6"]) {
            (harness: ConnectorHarness) async throws in
            let run = try await harness.run(["run", "from-erp"], changing: ["D365MM_RETRY_BUDGET_SECONDS": "30"])
            #expect(run.status == 0, "\(run.standardError)")
            let throttled = run.standardError.split(separator: "\n").filter { $0.contains("answered 429") }
            #expect(throttled.count == 2 && throttled.last?.contains("5 more time(s)") == true, "\(throttled)")
        }
    }

    @Test func machineMetricsDownThenBackLosesNothing() async throws {
        try await withWorld(["service=mm,status=503,times=always"]) { (harness: ConnectorHarness) async throws in
            for direction in ["from-erp", "to-erp"] {
                let down = try await harness.run(["run", direction])
                #expect(down.status == 75, "\(direction): \(down.standardError)")
            }
            harness.session.simulator.clearFaults()
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty)
        }
    }
}
