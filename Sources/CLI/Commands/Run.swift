import ArgumentParser
import ConnectorConfiguration
import D365
import Foundation
import HTTP
import Logging
import MachineMetrics
import Mapping
import ProcessExit
import Spool
import StateStore
import Sync

extension D365MMCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one pass of a direction.",
            subcommands: [FromERP.self, ToERP.self]
        )
    }
}

extension D365MMCommand.Run {
    struct FromERP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-erp",
            abstract: "Pull production orders and operations from D365 and post them to MachineMetrics.",
            discussion: """
                Work already in inbox/ and outbound/ (left by an earlier run, or moved there by an operator) goes first. \
                Then D365 is read (orders of D365_DEFAULT_DATA_AREA_ID and D365_DEFAULT_SITE_ID that are Released, \
                Started or Reported finished; their route operations, resources, employed workers and released products), \
                each page is kept in pages/ (once: a page kept already is not written again), transformed into \
                outbound/ batches of at most 1000 records holding only what changed since MachineMetrics last accepted \
                it, and posted; a pages item in posted/ names what the run pulled (d365mm spool show lists it). Pages are \
                transformed as they arrive, while further pages are read. With --pull-only the run stops once D365 is \
                read: a pages item in inbox/ names what was read, and the next run transforms and sends it. \
                SIGTERM or SIGINT stops the run within 10 s, its work left queued (exit 143 or 130). \
                Exit status: 0, 2, 73, 75, 77, 78, 130 or 143 (see d365mm --help).
                """
        )

        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Send every record, not only those that changed since MachineMetrics last accepted them.")
        var full = false
        @Flag(help: "Pull from D365 into pages/, named by a pages item in inbox/, and stop: nothing is transformed or sent until the next run.")
        var pullOnly = false

        /// Debug builds take `D365MM_DEBUG_ORDER_WINDOW`, so that tests read open orders in several windows.
        private static var orderWindow: Int {
            #if DEBUG
                if let text = CommandEnvironment.variables["D365MM_DEBUG_ORDER_WINDOW"], let window = Int(text) { return window }
            #endif
            return FromERPRun.Options.defaultOrderWindow
        }

        func validate() throws {
            if full && pullOnly { throw ValidationError("--full and --pull-only do not go together: a pull-only run sends nothing.") }
        }

        func run() async throws {
            let environment = try CommandEnvironment.load(configFile: options.config, label: "d365mm.from-erp")
            let runID = RunIdentifier.make()
            var logger = environment.logger
            logger[metadataKey: "run"] = "\(runID)"
            let options = FromERPRun.Options(
                scope: .init(dataAreaID: environment.configuration[.defaultDataAreaID], siteID: environment.configuration[.defaultSiteID]),
                full: full, concurrency: environment.configuration[.concurrency], pullOnly: pullOnly, orderWindow: Self.orderWindow)
            let report = try await withRunResources(environment, logger: logger, runID: runID, direction: .fromERP) { resources in
                let run = FromERPRun(
                    options: options, spool: resources.spool, database: resources.database, odata: resources.odata,
                    machineMetrics: resources.machineMetrics, runID: runID, logger: logger, progress: RunProgress.make(logger: logger),
                    stop: resources.stop)
                return await run.run()
            }
            if report.exitStatus != .success { throw report.exitStatus.exitCode }
        }
    }

    struct ToERP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "to-erp",
            abstract: "Write labor tickets from MachineMetrics to D365 as route or job card journals.",
            discussion: """
                When WRITE_LTS_TO_D365 is true: first the reconciliation sweep reads back from D365 the journals that carry \
                this connector's markers (MM-LT <ticket> r<revision>) within D365_RECONCILIATION_WINDOW, so that nothing D365 \
                already has is written again. Then pending tickets are pulled, checked against D365 (order, operation, resource, \
                employed worker), written one journal per ticket revision with $batch, acknowledged to MachineMetrics, and posted \
                per D365_JOURNAL_POSTING_MODE (action: posted now; batch_job: journals unposted after a day are reported; \
                manual: left). A higher revision of a written ticket is one correcting journal (the difference), or, when it \
                moved to another order or operation, a new journal and the reversal (r<revision>-undo) of the old one. \
                Tickets that cannot be written go to failed/ and are acknowledged failed with the reason. \
                When IMPORT_LTS_TO_MM is true: posted journal lines of the site that this connector did not write are sent \
                to MachineMetrics labor-tickets, from a watermark on PostedDateTime. SIGTERM or SIGINT stops the run \
                within 10 s, its work left queued (exit 143 or 130).
                """
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let environment = try CommandEnvironment.load(configFile: options.config, label: "d365mm.to-erp")
            let configuration = environment.configuration
            guard configuration[.writeLaborToD365] || configuration[.importLaborToMM] else {
                print("WRITE_LTS_TO_D365 (Write LTs to D365) and IMPORT_LTS_TO_MM (Import LTs to MM) are both false: run to-erp has nothing to do.")
                return
            }
            let runID = RunIdentifier.make()
            var logger = environment.logger
            logger[metadataKey: "run"] = "\(runID)"
            let options = ToERPRun.Options(
                dataAreaID: configuration[.defaultDataAreaID], siteID: configuration[.defaultSiteID], writeBack: configuration[.writeLaborToD365],
                importLabor: configuration[.importLaborToMM], journalKind: configuration[.journalKind],
                postingMode: configuration[.postingMode], postingAction: configuration[.postingAction],
                reconciliationWindow: configuration[.reconciliationWindow])
            let report = try await withRunResources(environment, logger: logger, runID: runID, direction: .toERP) { resources in
                let run = ToERPRun(
                    options: options, spool: resources.spool, database: resources.database, odata: resources.odata,
                    writer: resources.journals, machineMetrics: resources.machineMetrics, runID: runID, logger: logger,
                    progress: RunProgress.make(logger: logger), stop: resources.stop)
                return await run.run()
            }
            if report.exitStatus != .success { throw report.exitStatus.exitCode }
        }
    }
}

/// The run's summary counts and stage times as one line.
enum RunSummaryText {
    static func counts(_ report: RunReport) -> String {
        let counts = report.counts.isEmpty ? "nothing moved" : report.labelledCounts.map { "\($0.label) \($0.count)" }.joined(separator: ", ")
        guard !report.stageSeconds.isEmpty else { return counts }
        let stages = report.stageSeconds.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }
        return counts + "; seconds in " + stages.joined(separator: ", ")
    }
}
