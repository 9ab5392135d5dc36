import Failures
import Foundation
import JSON
import ProcessExit
import Spool
import StateStore
import Stopping

/// How a run ended, and what moved.
public struct RunReport: Sendable {
    public enum Outcome: String, Sendable {
        case success
        /// Finished, but something needs an operator (failed files, rejected records).
        case partial
        /// Stopped by a temporary failure; the work stays queued.
        case temporaryFailure = "temporary-failure"
        case authenticationFailure = "authentication-failure"
        case failure
        /// Stopped by a signal (`systemctl stop`, a shutdown, Ctrl-C); the work stays queued.
        case stopped
        /// The spool or the state database may not be written by this user.
        case permissionDenied = "permission-denied"
    }

    public var runID: String
    public var direction: Direction
    public var outcome: Outcome = .success
    /// Why the run stopped early, when it did.
    public var stopReason: String?
    /// The signal that stopped the run, when one did.
    public var stopSignal: Int32?
    public var counts: [RunCount: Int] = [:]
    /// Seconds spent in each stage (pull, transform, send, write, …), summed when a stage runs more than once.
    public var stageSeconds: [String: Double] = [:]
    public var startedAt: Date
    public var endedAt: Date?

    public init(runID: String, direction: Direction, startedAt: Date) {
        self.runID = runID
        self.direction = direction
        self.startedAt = startedAt
    }

    public mutating func add(_ count: RunCount, _ amount: Int = 1) { counts[count, default: 0] += amount }

    /// The counts by their labels, in the labels' order: as the log line and `status` show them.
    public var labelledCounts: [(label: String, count: Int)] {
        counts.map { ($0.key.label, $0.value) }.sorted { $0.label < $1.label }
    }

    /// Runs `body`, adding the time it took to `stage`.
    mutating func timing<T>(_ stage: String, _ body: (inout RunReport) async throws -> T) async rethrows -> T {
        let started = Date()
        defer { stageSeconds[stage, default: 0] += Date().timeIntervalSince(started) }
        return try await body(&self)
    }

    /// Adds `duration` to `stage`, for work timed inside another stage.
    mutating func add(_ duration: Duration, toStage stage: String) {
        stageSeconds[stage, default: 0] += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The exit status of `contracts/cli-and-config.md`.
    public var exitStatus: ExitStatus {
        switch outcome {
        case .success: return .success
        case .partial: return .partial
        case .temporaryFailure: return .temporaryFailure
        case .authenticationFailure, .permissionDenied: return .permissionDenied
        case .failure: return .internalError
        case .stopped: return RunStopped(signal: stopSignal ?? SIGTERM).exitStatus
        }
    }

    /// Records the failure that stopped the run.
    public mutating func stop(_ error: any Error) {
        stopReason = String(describing: error)
        if let stopped = error as? RunStopped {
            outcome = .stopped
            stopSignal = stopped.signal
            return
        }
        switch (error as? any CategorizedError)?.category {
        case .temporary?: outcome = .temporaryFailure
        case .authentication?: outcome = .authenticationFailure
        default:
            if let spoolError = error as? SpoolError, spoolError.code == .noSpace {
                outcome = .temporaryFailure
            } else if let spoolError = error as? SpoolError, spoolError.code == .denied {
                outcome = .permissionDenied
            } else if let database = error as? StateDatabaseError {
                outcome = database.kind == .denied ? .permissionDenied : .failure
            } else if let sqlite = error as? SQLiteError, let problem = StateDatabaseError(sqlite) {
                stopReason = problem.description
                outcome = problem.kind == .denied ? .permissionDenied : .failure
            } else if let sqlite = error as? SQLiteError, sqlite.isDiskFull {
                stopReason = "\(sqlite) (free space on the spool's file system, then run again; nothing was lost)"
                outcome = .temporaryFailure
            } else {
                outcome = .failure
            }
        }
    }

    /// Marks the run partial when something went to an operator, unless it already failed worse.
    public mutating func needsOperator() {
        if outcome == .success { outcome = .partial }
    }

    public var json: JSONValue {
        var object = JSONObject([
            ("runId", .string(runID)), ("direction", .string(direction.rawValue)), ("outcome", .string(outcome.rawValue)),
            ("exitCode", .number(Int(exitStatus.rawValue))),
        ])
        if let stopReason { object["stopReason"] = .string(stopReason) }
        if let endedAt { object["seconds"] = .number(Decimal(Int(endedAt.timeIntervalSince(startedAt) * 1000)) / 1000) }
        // `counts` by label, as status has always shown them; `countsByID` by identifier, for scripts.
        object["counts"] = .object(JSONObject(labelledCounts.map { ($0.label, .number($0.count)) }))
        object["countsByID"] = .object(JSONObject(counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.rawValue, .number($0.value)) }))
        object["stageSeconds"] = .object(
            JSONObject(stageSeconds.sorted { $0.key < $1.key }.map { ($0.key, .number(Decimal(Int($0.value * 1000)) / 1000)) }))
        return .object(object)
    }
}
