import Prometheus

/// The metrics the file holds, by their Prometheus names: dashboards and alerts depend on them, so they never change.
public enum Metric: String, CaseIterable, Sendable {
    case lastRunTimestamp = "d365mm_last_run_timestamp_seconds"
    case lastSuccessTimestamp = "d365mm_last_success_timestamp_seconds"
    case lastRunExitCode = "d365mm_last_run_exit_code"
    case lastRunDuration = "d365mm_last_run_duration_seconds"
    case recordsSent = "d365mm_records_sent_total"
    case ticketsWritten = "d365mm_tickets_written_total"
    case itemsFailed = "d365mm_items_failed"
    case oldestFailedAge = "d365mm_oldest_failed_age_seconds"
    case httpRequests = "d365mm_http_requests_total"

    /// The name whole, as dashboards spell it (its unit already in it), and its help line.
    var descriptor: MetricNameDescriptor { MetricNameDescriptor(metricName: rawValue, unitName: "", helpText: help) }

    var help: String {
        switch self {
        case .lastRunTimestamp: return "When the last run of the direction ended (Unix time)."
        case .lastSuccessTimestamp: return "When the last run of the direction that exited 0 ended (Unix time)."
        case .lastRunExitCode: return "The exit status of the last run, as d365mm(1) lists them under EXIT STATUS."
        case .lastRunDuration: return "How long the last run took, in seconds."
        case .recordsSent: return "Records MachineMetrics accepted."
        case .ticketsWritten: return "Labor tickets written to D365 as journals."
        case .itemsFailed: return "Items in failed/, waiting for an operator."
        case .oldestFailedAge: return "Age of the oldest item in failed/, in seconds (0 when there is none)."
        case .httpRequests: return "HTTP requests sent, each retry counted, by service."
        }
    }
}
