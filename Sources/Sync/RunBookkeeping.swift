import CrashPoints
import Foundation
import JSON
import Logging
import Spool
import StateStore

/// What every run does around its stages: records its start, removes what crashed runs left in `tmp/`, gives files
/// dropped under names that are not UTF-8 one that is, turns the failure that stops it into its outcome, and
/// records how it ended.
struct RunBookkeeping {
    let runID: String
    let direction: Direction
    let spool: Spool
    let database: StateDatabase
    let logger: Logger

    func perform(_ stages: (inout RunReport) async throws -> Void) async -> RunReport {
        var report = RunReport(runID: runID, direction: direction, startedAt: Date())
        do {
            try database.beginRun(id: runID, direction: direction.rawValue, at: report.startedAt)
            let stale = try spool.purgeTemporaryFiles()
            if !stale.isEmpty { logger.notice("removed \(stale.count) unfinished temporary file(s) a crashed run left in tmp/") }
            for adoption in try spool.adoptStrayNames() {
                logger.warning("\(adoption.folder.rawValue)/\(adoption.shownName) is renamed \(adoption.name): its name was not UTF-8")
            }
            try await stages(&report)
        } catch {
            report.stop(error)
            logger.error("the run stopped: \(error)")
        }
        report.endedAt = Date()
        CrashPoint.reached("run.recording-outcome")
        do {
            try database.finishRun(id: runID, outcome: report.outcome.rawValue, exitCode: Int(report.exitCode),
                                   summary: JSONEncoding.string(report.json), at: report.endedAt!)
        } catch {
            logger.error("could not record the run's outcome in \(spool.databasePath): \(error)")
            if report.outcome == .success || report.outcome == .partial { report.stop(error) }
        }
        return report
    }
}
