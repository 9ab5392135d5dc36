import Foundation
import JSON
import Simulator
import Spool
import TestSupport
import Testing

/// `systemctl stop` (SIGTERM) and Ctrl-C (SIGINT) in the middle of a run's writes (`contracts/cli-and-config.md`
/// § Stopping): the run stops within 10 s, exits 143 (130), is recorded `stopped`, and the next runs finish its work
/// with nothing lost and nothing twice.
struct StoppingTests {
    /// Starts `run DIRECTION`, waits until the simulator has seen `requests` requests matching `path`, then signals.
    private func stop(
        _ harness: ConnectorHarness, _ direction: String, with signal: Int32, afterRequests requests: Int,
        service: FaultRule.Service, method: String, path: String
    ) async throws -> CommandResult {
        let running = try D365MMBinary.start(["run", direction], environment: harness.environment)
        let log = { harness.session.simulator.requestLog.count(service: service, method: method, path: path) }
        for _ in 0..<1200 where log() < requests { try await Task.sleep(for: .milliseconds(50)) }
        #expect(log() >= requests, "the run reached its writes")
        running.send(signal)
        return await running.wait()
    }

    /// The seconds between the run's log line saying it received the signal and its last line, by the run's own clock:
    /// a test process busy with two hundred other tests cannot time a child to the second.
    private func secondsToStop(_ harness: ConnectorHarness) throws -> Int? {
        guard let name = harness.files("log").last else { return nil }
        let lines = try String(contentsOfFile: "\(harness.spoolDirectory)/log/\(name)", encoding: .utf8).split(separator: "\n")
        func time(_ line: Substring?) -> Date? { line.flatMap { ISO8601DateFormatter().date(from: String($0.prefix(20))) } }
        guard let signalled = time(lines.first { $0.contains(" received: no new request starts") }), let ended = time(lines.last) else { return nil }
        return Int(ended.timeIntervalSince(signalled))
    }

    /// What `status --json` says of the newest run.
    private func newestRun(_ harness: ConnectorHarness) async throws -> JSONValue? {
        let status = try await harness.run(["status", "--json"])
        return try JSONParser.parse(Array(status.standardOutput.utf8))["runs"]?.arrayValue?.first
    }

    /// Every spool file a run left in a work folder still validates: nothing half-written is visible.
    private func workFilesValidate(_ harness: ConnectorHarness) -> Bool {
        ["inbox", "outbound"].allSatisfy { folder in
            harness.files(folder).allSatisfy { name in
                guard let data = FileManager.default.contents(atPath: "\(harness.spoolDirectory)/\(folder)/\(name)") else { return false }
                let schema = folder == "inbox" ? Envelope.inboxSchema : Envelope.outboundSchema
                return (try? Envelope.decode(Array(data), expectedSchema: schema)) != nil
            }
        }
    }

    /// Each batch takes MachineMetrics 4 s to answer; the one in flight at the signal is answered and kept, no other is
    /// sent.
    @Test func sigtermWhileSendingToMachineMetricsStopsWith143AndTheNextRunsLoseNothing() async throws {
        try await withConnector(
            orders: 60, laborTickets: 0, configure: { $0.faults = [try! FaultRule(parsing: "service=mm,method=PUT,slow=4,times=always")] },
            extra: ["MM_API_TIMEOUT_SECONDS": "30"]
        ) { (harness: ConnectorHarness) async throws in
            let stopped = try await stop(harness, "from-erp", with: SIGTERM, afterRequests: 1, service: .mm, method: "PUT", path: "/v1/erp/")
            #expect(stopped.status == 143 && !stopped.killedBySignal, "\(stopped.standardError)")
            #expect(try secondsToStop(harness).map { $0 <= 10 } == true, "stopped within 10 s of the signal")
            #expect(stopped.standardError.contains("SIGTERM received") && stopped.standardError.contains("finished: stopped (exit 143)"))
            let sent = harness.session.simulator.requestLog.count(service: .mm, method: "PUT", path: "/v1/erp/")
            #expect(
                harness.files("posted").filter { $0.contains("_from-erp_") && $0.hasSuffix(".receipt.json") }.count == sent,
                "every batch sent was answered and kept, none was sent after the signal")
            #expect(!harness.files("outbound").isEmpty, "the batches not yet sent stay queued")
            #expect(workFilesValidate(harness))
            let run = try await newestRun(harness)
            #expect(run?["outcome"]?.stringValue == "stopped" && run?["exitCode"]?.intValue == 143 && run?["state"]?.stringValue == "stopped")
            let runLog = try #require(harness.files("log").last)
            let lastLine = try String(contentsOfFile: "\(harness.spoolDirectory)/log/\(runLog)", encoding: .utf8).split(separator: "\n").last ?? ""
            #expect(lastLine.contains("run from-erp finished: stopped (exit 143)"), "the run's own log ends with its outcome: \(lastLine)")
            harness.session.simulator.clearFaults()
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty, "\(Invariants.problems(harness))")
        }
    }

    /// Paused right before its journals go to D365, the run is signalled; once its log says so, it goes on: the write it
    /// was about to send is not sent.
    @Test func sigtermBeforeTheJournalWriteStopsWith143AndEveryTicketIsInD365Once() async throws {
        try await withConnector(orders: 80, laborTickets: 40, extra: ["WRITE_LTS_TO_D365": "true", "D365_JOURNAL_POSTING_MODE": "action"]) {
            (harness: ConnectorHarness) async throws in
            _ = try await harness.run(["run", "from-erp"])
            let pause = harness.spoolDirectory + "/../pause"
            var environment = harness.environment
            environment["D365MM_DEBUG_PAUSE_AT"] = "to-erp.batch-sending@1"
            environment["D365MM_DEBUG_PAUSE_FILE"] = pause
            let running = try D365MMBinary.start(["run", "to-erp"], environment: environment)
            for _ in 0..<600 where !FileManager.default.fileExists(atPath: pause + ".paused") { try await Task.sleep(for: .milliseconds(50)) }
            let writesBefore = harness.session.simulator.requestLog.count(service: .d365, method: "POST", path: "$batch")
            running.send(SIGTERM)
            let runLog = {
                harness.files("log").compactMap { try? String(contentsOfFile: "\(harness.spoolDirectory)/log/\($0)", encoding: .utf8) }.joined()
            }
            for _ in 0..<600 where !runLog().contains("SIGTERM received") { try await Task.sleep(for: .milliseconds(50)) }
            #expect(FileManager.default.createFile(atPath: pause, contents: nil))
            let stopped = await running.wait()
            #expect(stopped.status == 143, "\(stopped.standardError)")
            #expect(
                harness.session.simulator.requestLog.count(service: .d365, method: "POST", path: "$batch") == writesBefore,
                "no new request after the signal")
            #expect(workFilesValidate(harness))
            #expect(try await newestRun(harness)?["outcome"]?.stringValue == "stopped")
            harness.session.simulator.clearFaults()
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty, "\(Invariants.problems(harness))")
        }
    }

    @Test func anAnswerSlowerThanTheGraceIsCutAndCtrlCExits130() async throws {
        try await withConnector(
            orders: 20, laborTickets: 0, configure: { $0.faults = [try! FaultRule(parsing: "service=mm,method=PUT,slow=40,times=always")] },
            extra: ["MM_API_TIMEOUT_SECONDS": "60"]
        ) { (harness: ConnectorHarness) async throws in
            let stopped = try await stop(harness, "from-erp", with: SIGINT, afterRequests: 1, service: .mm, method: "PUT", path: "/v1/erp/")
            #expect(stopped.status == 130, "\(stopped.standardError)")
            let seconds = try secondsToStop(harness)
            #expect(seconds.map { (6...10).contains($0) } == true, "the request in flight was cut once the grace was over: \(seconds ?? -1) s")
            #expect(try await newestRun(harness)?["outcome"]?.stringValue == "stopped")
        }
    }

    @Test func aKilledRunIsShownKilledNotRunningAndTheNextRunSaysSo() async throws {
        try await withConnector(orders: 20, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            let killed = try await harness.run(["run", "from-erp"], changing: ["D365MM_DEBUG_CRASH_AT": "mm.batch-accepted"])
            #expect(killed.killedBySignal)
            let status = try await harness.run(["status"])
            #expect(status.standardOutput.contains("from-erp killed, did not finish"), "\(status.standardOutput)")
            #expect(try await newestRun(harness)?["state"]?.stringValue == "killed")
            let next = try await harness.run(["run", "from-erp"])
            #expect(next.status == 0 && next.standardError.contains("1 earlier run(s) never recorded how they ended"), "\(next.standardError)")
            let runs = try JSONParser.parse(Array(try await harness.run(["status", "--json"]).standardOutput.utf8))["runs"]?.arrayValue ?? []
            #expect(runs.map { $0["outcome"]?.stringValue ?? "-" } == ["success", "killed"])
        }
    }
}
