import Foundation
import Prometheus
import Spool
import StateStore

/// The Prometheus text file for node_exporter's textfile collector (`D365MM_METRICS_FILE`): how each direction's last
/// run ended, totals that outlive restarts, and what waits in `failed/`. Every run rewrites it whole, for both
/// directions, from the state database and the spool.
public struct MetricsFile {
    public let path: String
    /// The `connector` label: the instance (`D365MM_INSTANCE`), or `default`.
    public let connector: String

    public init(path: String, connector: String) {
        self.path = path
        self.connector = connector
    }

    /// Adds a run's figures to the totals the file reports; every run does, whether or not a file is configured, so
    /// that one configured later starts from the truth.
    public static func recordRun(
        direction: Direction, recordsSent: Int, ticketsWritten: Int, requests: [String: Int], in database: StateDatabase
    ) throws {
        // Each total is kept under the name of the counter it feeds.
        var amounts = [
            StateDatabase.TotalKey(name: Metric.recordsSent.rawValue, direction: direction.rawValue): recordsSent,
            StateDatabase.TotalKey(name: Metric.ticketsWritten.rawValue, direction: direction.rawValue): ticketsWritten,
        ]
        for (service, count) in requests {
            amounts[StateDatabase.TotalKey(name: Metric.httpRequests.rawValue, direction: direction.rawValue, label: service)] = count
        }
        try database.addToTotals(amounts)
    }

    /// The file's text as of `now`.
    public func render(database: StateDatabase, spool: Spool, now: Date = Date()) throws -> String {
        let registry = PrometheusCollectorRegistry()
        let totals = try database.totals()
        let failed = spool.census(of: .failed)
        for direction in Direction.allCases {
            let labels = [("connector", connector), ("direction", direction.rawValue)]
            func gauge(_ metric: Metric, _ value: Double) {
                registry.makeGauge(descriptor: metric.descriptor, labels: labels).set(value)
            }
            func counter(_ metric: Metric) {
                let value = totals[StateDatabase.TotalKey(name: metric.rawValue, direction: direction.rawValue)] ?? 0
                registry.makeCounter(descriptor: metric.descriptor, labels: labels).increment(by: Int64(value))
            }
            let runs = try database.lastRuns(direction: direction.rawValue)
            // A direction that never ran has no last run to report: its absence is what an alert looks for.
            if let run = runs.finished, let ended = run.endedAt {
                gauge(.lastRunTimestamp, ended.timeIntervalSince1970)
                gauge(.lastRunExitCode, Double(run.exitCode ?? -1))
                gauge(.lastRunDuration, ended.timeIntervalSince(run.startedAt))
            }
            if let ended = runs.succeeded?.endedAt { gauge(.lastSuccessTimestamp, ended.timeIntervalSince1970) }
            counter(.recordsSent)
            counter(.ticketsWritten)
            let waiting = failed[direction.rawValue] ?? FolderCensus()
            gauge(.itemsFailed, Double(waiting.count))
            gauge(.oldestFailedAge, waiting.oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
            for (key, value) in totals where key.name == Metric.httpRequests.rawValue && key.direction == direction.rawValue {
                registry.makeCounter(descriptor: Metric.httpRequests.descriptor, labels: labels + [("service", key.label)])
                    .increment(by: Int64(value))
            }
        }
        return registry.emitToString()
    }

    /// Rewrites the file whole, so node_exporter never reads half of one: written beside it and renamed over it, under
    /// a lock that keeps the two directions' runs from crossing, readable by node_exporter's user (mode 0644).
    public func write(database: StateDatabase, spool: Spool, now: Date = Date()) throws {
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw MetricsFileError(path: path, errno: errno) }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        let text = try render(database: database, spool: spool, now: now)
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw MetricsFileError(path: path, errno: errno) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        // The services' UMask=0077 would leave it 0600, which node_exporter could not read.
        let failure = written != bytes.count || fchmod(descriptor, 0o644) != 0 || fsync(descriptor) != 0 ? errno : 0
        close(descriptor)
        guard failure == 0, rename(temporary, path) == 0 else {
            let error = MetricsFileError(path: path, errno: failure == 0 ? errno : failure)
            unlink(temporary)
            throw error
        }
    }
}

/// The metrics file could not be written; the run's outcome stands.
public struct MetricsFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32

    public var description: String {
        "cannot write \(path): \(String(cString: strerror(errno)))"
            + (errno == EACCES || errno == EROFS || errno == EPERM
                ? " (the user d365mm runs as needs write access to its folder, which the units list in ReadWritePaths= once D365MM_METRICS_FILE is set)"
                : "")
    }
}
