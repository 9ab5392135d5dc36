import ArgumentParser
import ConnectorConfiguration
import D365
import Foundation
import HTTP
import Logging
import MachineMetrics
import Mapping
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
                each page is written to inbox/, transformed into outbound/ batches of at most 1000 records holding only \
                what changed since MachineMetrics last accepted it, and posted. Exit status: 0, 2, 73, 75, 77 or 78 \
                (see d365mm --help).
                """
        )

        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Send every record, not only those that changed since MachineMetrics last accepted them.")
        var full = false

        func run() async throws {
            let environment = try CommandEnvironment.load(configFile: options.config, label: "d365mm.from-erp")
            let runID = RunIdentifier.make()
            var logger = environment.logger
            logger[metadataKey: "run"] = "\(runID)"
            let report = try await withRunResources(environment, logger: logger, direction: .fromERP) { resources in
                let run = FromERPRun(
                    options: .init(scope: .init(dataAreaID: environment.configuration.dataAreaID, siteID: environment.configuration.siteID),
                                   full: full, concurrency: environment.configuration.d365Concurrency),
                    spool: resources.spool, database: resources.database, odata: resources.odata, machineMetrics: resources.machineMetrics,
                    runID: runID, logger: logger, progress: TerminalProgress.make())
                return await run.run()
            }
            logger.log(level: report.exitCode == 0 ? .info : .warning, "run from-erp finished: \(report.outcome.rawValue) (exit \(report.exitCode)); \(RunSummaryText.counts(report))")
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }

    struct ToERP: PendingCommand {
        static let configuration = CommandConfiguration(
            commandName: "to-erp",
            abstract: "Write labor tickets from MachineMetrics to D365 as route or job card journals."
        )
        static let pendingName = "run to-erp"

        @OptionGroup var options: ConfigurationOptions
    }
}

/// The run's summary counts as one line.
enum RunSummaryText {
    static func counts(_ report: RunReport) -> String {
        report.counts.isEmpty ? "nothing moved" : report.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
