import Foundation
import JSON
import Spool
import StateStore

/// What `d365mm status` shows: the spool per state and direction, the last runs, and what needs an operator.
/// Read-only: it takes no lock.
public struct StatusReport {
    public let spoolRoot: String
    public let generatedAt: Date
    /// Folder → direction (`from-erp`, `to-erp`, or `other` for names that do not say) → count.
    public var folders: [SpoolFolder: [String: FolderCensus]] = [:]
    public var archives = (count: 0, bytes: Int64(0))
    /// The pages kept in `pages/`, which items and archives name.
    public var pages = (count: 0, bytes: Int64(0))
    public var runs: [StateDatabase.Run] = []
    public var rejections: [StateDatabase.Rejection] = []
    public var ticketFailures: [StateDatabase.TicketFailure] = []
    /// Journals written but not posted: each with when it was written and the last posting error.
    public var unpostedJournals: [(journal: String, writtenAt: Date, error: String?)] = []
    /// Files whose name is not UTF-8, which the next run renames, as `folder/name` with the name shown escaped.
    public var strayNames: [String] = []
    /// Why the state database could not be read, when it could not: the runs and failures are then not shown.
    public var databaseProblem: String?
    /// That the certificate the connector signs in with expires soon, or has.
    public var credentialNotice: String?
    /// Whether a run holds the spool lock now; `nil` when that cannot be told.
    public var lockHeld: Bool?
    /// `systemctl list-timers` lines for d365mm's timers; `nil` when systemd is not there.
    public var timers: [String]?

    /// The folders `status` lists, in the order work moves.
    public static let folderOrder: [SpoolFolder] = [.inbox, .outbound, .failed, .hold, .posted]

    public static func gather(spool: Spool, database: StateDatabase?, now: Date = Date(), timers: [String]? = nil) throws -> StatusReport {
        var report = StatusReport(spoolRoot: spool.root, generatedAt: now)
        for folder in folderOrder {
            report.folders[folder] = spool.census(of: folder)
            report.strayNames += ((try? spool.strayNames(in: folder)) ?? []).map { "\(folder.rawValue)/\($0)" }
        }
        if let usage = try? PageStore(spool: spool).usage() { report.pages = (usage.files, usage.bytes) }
        for name in (try? spool.entries(in: .archive)) ?? [] where name.hasSuffix(".tar.gz") {
            report.archives.count += 1
            report.archives.bytes += spool.attributes(of: name, in: .archive)?.size ?? 0
        }
        if let database {
            report.runs = try database.recentRuns(limit: 10)
            report.rejections = try database.rejections()
            report.ticketFailures = try database.ticketFailures()
            var unposted: [String: (Date, String?)] = [:]
            for write in try database.unpostedTicketWrites() where unposted[write.journalNumber] == nil {
                unposted[write.journalNumber] = (write.writtenAt, write.postingError)
            }
            report.unpostedJournals = unposted.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.writtenAt < $1.writtenAt }
        }
        report.timers = timers
        report.lockHeld = SpoolLock.isHeld(spool)
        return report
    }

    /// How a run stands: `finished`, `stopped` by a signal, `running`, or `killed` (it never recorded its end, and no run
    /// holds the lock now, or a later run found it so).
    public func state(of run: StateDatabase.Run) -> String {
        if run.outcome == "killed" { return "killed" }
        if run.endedAt != nil { return run.outcome == "stopped" ? "stopped" : "finished" }
        let newestUnfinished = runs.first { $0.endedAt == nil && $0.outcome == nil }
        return run.id == newestUnfinished?.id && lockHeld != false ? "running" : "killed"
    }

    /// Journals left unposted for over a day.
    public var overdueJournals: [String] {
        unpostedJournals.filter { generatedAt.timeIntervalSince($0.writtenAt) > StateDatabase.postingOverdueAfter }.map(\.journal)
    }

    public var json: JSONValue {
        var folderObject = JSONObject()
        for folder in Self.folderOrder {
            var byDirection = JSONObject()
            for direction in ["from-erp", "to-erp", "other"] {
                let entry = folders[folder]?[direction] ?? FolderCensus()
                guard entry.count > 0 || direction != "other" else { continue }
                byDirection[direction] = .object(
                    JSONObject([
                        ("count", .number(entry.count)),
                        ("oldestAgeSeconds", entry.oldest.map { .number(Int(generatedAt.timeIntervalSince($0))) } ?? .null),
                    ]))
            }
            folderObject[folder.rawValue] = .object(byDirection)
        }
        let runList: [JSONValue] = runs.map { run in
            var object = JSONObject([
                ("id", .string(run.id)), ("direction", .string(run.direction)), ("startedAt", .string(Self.iso(run.startedAt))),
                ("endedAt", .string(run.endedAt.map(Self.iso))), ("outcome", .string(run.outcome)),
                ("exitCode", run.exitCode.map { .number($0) } ?? .null), ("state", .string(state(of: run))),
            ])
            if let endedAt = run.endedAt { object["seconds"] = .number(Int(endedAt.timeIntervalSince(run.startedAt).rounded())) }
            if let summary = run.summary.flatMap({ try? JSONParser.parse(Array($0.utf8)) }) {
                object["counts"] = summary["counts"] ?? .null
                object["countsByID"] = summary["countsByID"] ?? .null
            }
            return .object(object)
        }
        return .object(
            JSONObject([
                ("spool", .string(spoolRoot)), ("generatedAt", .string(Self.iso(generatedAt))), ("folders", .object(folderObject)),
                ("archives", .object(JSONObject([("count", .number(archives.count)), ("bytes", .number(Int(archives.bytes)))]))),
                ("pages", .object(JSONObject([("count", .number(pages.count)), ("bytes", .number(Int(pages.bytes)))]))),
                ("runs", .array(runList)),
                (
                    "rejections",
                    .array(
                        rejections.map {
                            .object(
                                JSONObject([
                                    ("collection", .string($0.collection)), ("key", .string($0.key)),
                                    ("code", .string($0.code)), ("message", .string($0.message)),
                                ]))
                        })
                ),
                (
                    "ticketFailures",
                    .array(
                        ticketFailures.map {
                            .object(
                                JSONObject([
                                    ("ticketId", .string($0.ticketID)), ("revision", .number($0.revision)),
                                    ("message", .string($0.message)), ("toldMachineMetrics", .bool($0.acknowledged)),
                                ]))
                        })
                ),
                (
                    "unpostedJournals",
                    .array(
                        unpostedJournals.map {
                            .object(
                                JSONObject([
                                    ("journal", .string($0.journal)), ("writtenAt", .string(Self.iso($0.writtenAt))),
                                    ("postingError", .string($0.error)),
                                ]))
                        })
                ),
                ("overdueJournals", .array(overdueJournals.map { .string($0) })),
                ("strayNames", .array(strayNames.map { .string($0) })),
                ("stateDatabaseProblem", .string(databaseProblem)),
                ("credentialNotice", .string(credentialNotice)),
                ("timers", timers.map { .array($0.map { .string($0) }) } ?? .null),
            ]))
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
