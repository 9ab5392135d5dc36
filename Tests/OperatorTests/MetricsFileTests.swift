import Foundation
import JSON
import Simulator
import TestSupport
import Testing

/// `D365MM_METRICS_FILE`: what node_exporter's textfile collector reads after each run.
struct MetricsFileTests {
    /// The count a run's last log line gives for `label` (`records accepted 12`).
    private func logged(_ label: String, in result: CommandResult) -> Int {
        guard let line = result.standardError.split(separator: "\n").last(where: { $0.contains("finished:") }),
            let match = line.firstMatch(of: try! Regex("[;,] \(label) ([0-9]+)"))
        else { return 0 }
        return Int(match.output[1].substring ?? "0") ?? 0
    }

    @Test func theFileHoldsWhatTheRunsLoggedAndAFailedRunKeepsItsLastSuccess() async throws {
        try await withTemporaryDirectory { folder in try await metricsOfRuns(path: folder + "/d365mm.prom") }
    }

    private func metricsOfRuns(path: String) async throws {
        try await withConnector(
            orders: 40, laborTickets: 12, extra: ["WRITE_LTS_TO_D365": "true", "D365MM_METRICS_FILE": path, "D365MM_INSTANCE": "plant7"]
        ) { harness in
            let from = try await harness.run(["run", "from-erp"])
            let to = try await harness.run(["run", "to-erp"])
            #expect(from.status == 0, "\(from.standardError)")
            let metrics = try PrometheusText(String(contentsOfFile: path, encoding: .utf8))
            let fromERP = ["connector": "plant7", "direction": "from-erp"]
            let toERP = ["connector": "plant7", "direction": "to-erp"]

            #expect(metrics.types["d365mm_records_sent_total"] == "counter" && metrics.types["d365mm_last_run_exit_code"] == "gauge")
            let sent = logged("records accepted", in: from) + logged("records accepted", in: to)
            #expect(sent > 0 && Int(metrics.sum("d365mm_records_sent_total", ["connector": "plant7"])) == sent)
            let written = logged("journals written", in: to)
            #expect(written > 0 && metrics.value("d365mm_tickets_written_total", toERP) == Double(written))
            #expect(metrics.value("d365mm_last_run_exit_code", toERP) == Double(to.status))
            #expect(metrics.value("d365mm_last_run_exit_code", fromERP) == 0)
            let lastSuccess = try #require(metrics.value("d365mm_last_success_timestamp_seconds", fromERP))
            #expect(abs(lastSuccess - Date().timeIntervalSince1970) < 120)
            #expect((metrics.value("d365mm_last_run_duration_seconds", fromERP) ?? -1) >= 0)
            let failed = harness.files("failed").filter { $0.contains("_to-erp_") && !$0.contains(".error.") }.count
            #expect(failed > 0 && metrics.value("d365mm_items_failed", toERP) == Double(failed), "failed/ holds \(failed) to-erp items")
            #expect(metrics.value("d365mm_items_failed", fromERP) == 0 && metrics.value("d365mm_oldest_failed_age_seconds", fromERP) == 0)
            // Every request the simulated services answered, counted by the service it went to.
            let log = harness.session.simulator.requestLog
            for (ours, theirs) in [("d365", FaultRule.Service.d365), ("entra", .entra), ("machinemetrics", .mm)] {
                #expect(Int(metrics.sum("d365mm_http_requests_total", ["service": ours])) == log.count(service: theirs), "\(ours)")
            }
            try dashboardQueriesOnly(metricsIn: metrics)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o644, "node_exporter runs as another user")

            let down = try await harness.run(["run", "from-erp"], changing: ["D365_ENVIRONMENT_HOST": "http://127.0.0.1:9"])
            #expect(down.status != 0, "\(down.standardError)")
            let after = try PrometheusText(String(contentsOfFile: path, encoding: .utf8))
            #expect(after.value("d365mm_last_run_exit_code", fromERP) == Double(down.status))
            #expect(after.value("d365mm_last_success_timestamp_seconds", fromERP) == lastSuccess, "a failed run is no success")
            #expect((after.value("d365mm_last_run_timestamp_seconds", fromERP) ?? 0) >= lastSuccess)
            #expect(after.sum("d365mm_records_sent_total") == metrics.sum("d365mm_records_sent_total"), "counters keep their totals")
        }
    }

    /// contrib/grafana-dashboard.json asks only for metrics the program writes: each name in a panel's query or a
    /// variable's is in a file a run wrote.
    private func dashboardQueriesOnly(metricsIn metrics: PrometheusText) throws {
        let root = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../..").standardized.path
        let text = try String(contentsOfFile: root + "/contrib/grafana-dashboard.json", encoding: .utf8)
        let dashboard = try JSONParser.parse(Array(text.utf8))
        var queries = (dashboard["templating"]?["list"]?.arrayValue ?? []).compactMap { $0["query"]?.stringValue }
        for panel in dashboard["panels"]?.arrayValue ?? [] {
            queries += (panel["targets"]?.arrayValue ?? []).compactMap { $0["expr"]?.stringValue }
        }
        let asked = Set(queries.flatMap { $0.matches(of: /d365mm_[a-z_]+/).map { String($0.output) } })
        #expect(asked.count >= 7, "the dashboard's queries: \(queries)")
        #expect(
            asked.subtracting(metrics.types.keys).isEmpty, "the dashboard asks for metrics no run writes: \(asked.subtracting(metrics.types.keys))")
        for panel in [
            "Time since the last successful run", "Records sent to MachineMetrics per hour", "Labor tickets written to D365 per hour",
            "Items in failed/", "Run durations",
        ] {
            #expect(text.contains("\"title\": \"\(panel)\""), "a panel \(panel)")
        }
    }

    @Test func aFolderTheRunMayNotWriteIsAWarningAndTheRunStillSucceeds() async throws {
        try await withConnector(orders: 10, laborTickets: 0, extra: ["D365MM_METRICS_FILE": "/proc/d365mm-metrics/d365mm.prom"]) { harness in
            let run = try await harness.run(["run", "from-erp"])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.contains("the metrics were not updated (D365MM_METRICS_FILE): cannot write /proc/d365mm-metrics/d365mm.prom"))
        }
    }
}
