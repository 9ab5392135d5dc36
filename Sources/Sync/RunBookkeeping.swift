import CrashPoints
import Foundation
import JSON
import Logging
import Spool
import StateStore
import Stopping

/// What every run does around its stages: records its start, removes what crashed runs left in `tmp/`, gives files
/// dropped under names that are not UTF-8 one that is, turns the failure that stops it into its outcome, and
/// records how it ended.
struct RunBookkeeping {
    let runID: String
    let direction: Direction
    let spool: Spool
    let database: StateDatabase
    let logger: Logger
    let stop: StopRequest

    func perform(_ stages: (inout RunReport) async throws -> Void) async -> RunReport {
        var report = RunReport(runID: runID, direction: direction, startedAt: Date())
        do {
            // The lock is this run's: a run that never recorded its end is not running any more.
            let killed = try database.markUnfinishedRunsKilled()
            if killed > 0 {
                logger.notice(
                    "\(killed) earlier run(s) never recorded how they ended (killed, or the device lost power); status now shows them as killed")
            }
            try database.beginRun(id: runID, direction: direction.rawValue, at: report.startedAt)
            let stale = try spool.purgeTemporaryFiles()
            if !stale.isEmpty { logger.notice("removed \(stale.count) unfinished temporary file(s) a crashed run left in tmp/") }
            for adoption in try spool.adoptStrayNames() {
                logger.warning("\(adoption.folder.rawValue)/\(adoption.shownName) is renamed \(adoption.name): its name was not UTF-8")
            }
            try await stages(&report)
        } catch {
            // Once a stop is asked for, whatever ends the run (a request cut short, a cancelled wait) is that stop.
            if let signal = stop.signal {
                if !(error is RunStopped) { logger.debug("while stopping: \(error)") }
                report.stop(RunStopped(signal: signal))
                logger.notice("the run \(report.stopReason ?? "stopped")")
            } else {
                report.stop(error)
                logger.error("the run stopped: \(error)")
            }
        }
        report.endedAt = Date()
        CrashPoint.reached("run.recording-outcome")
        do {
            try database.finishRun(
                id: runID, outcome: report.outcome.rawValue, exitCode: Int(report.exitStatus.rawValue),
                summary: JSONEncoding.string(report.json), at: report.endedAt!)
        } catch {
            logger.error("could not record the run's outcome in \(spool.databasePath): \(error)")
            if report.outcome == .success || report.outcome == .partial { report.stop(error) }
        }
        return report
    }
}
