import ConnectorConfiguration
import CrashPoints
import D365
import Foundation
import JSON
import Logging
import MachineMetrics
import Mapping
import Spool
import StateStore
import Stopping
import Vocabulary

/// One `d365mm run to-erp`: reconcile with D365, pull pending labor tickets, write each revision once as a
/// journal, acknowledge, post; then import D365's own posted labor into MachineMetrics.
///
/// Exactly once: before anything is written, the journals carrying this connector's markers are read back from D365
/// and recorded, so that a write D365 committed but this connector never heard of is not written again. Every
/// outbound entry is checked against that record right before it is sent.
public final class ToERPRun {
    public struct Options: Sendable {
        public var dataAreaID: String
        public var siteID: String
        /// Write MachineMetrics' labor tickets to D365 (`WRITE_LTS_TO_D365`).
        public var writeBack: Bool
        /// Send D365's posted labor to MachineMetrics (`IMPORT_LTS_TO_MM`).
        public var importLabor: Bool
        public var journalKind: Configuration.JournalKind
        public var postingMode: Configuration.PostingMode
        public var postingAction: String
        public var reconciliationWindow: TimeInterval

        public init(
            dataAreaID: String, siteID: String, writeBack: Bool, importLabor: Bool, journalKind: Configuration.JournalKind,
            postingMode: Configuration.PostingMode,
            postingAction: String, reconciliationWindow: TimeInterval
        ) {
            self.dataAreaID = dataAreaID.lowercased()
            self.siteID = siteID
            self.writeBack = writeBack
            self.importLabor = importLabor
            self.journalKind = journalKind
            self.postingMode = postingMode
            self.postingAction = postingAction
            self.reconciliationWindow = reconciliationWindow
        }

        var entitySet: EntitySet { journalKind.entitySet }
    }

    /// Journals per `$batch` (and per outbound file).
    static let journalsPerBatch = 100

    let options: Options
    let spool: Spool
    let database: StateDatabase
    let odata: ODataClient
    let writer: JournalWriter
    let machineMetrics: MachineMetricsClient
    let logger: Logger
    let progress: Progress
    let files: SpoolWriter
    let stop: StopRequest
    public let runID: String

    public init(
        options: Options, spool: Spool, database: StateDatabase, odata: ODataClient, writer: JournalWriter,
        machineMetrics: MachineMetricsClient, runID: String, logger: Logger, progress: Progress = .silent, stop: StopRequest = StopRequest()
    ) {
        self.options = options
        self.stop = stop
        self.spool = spool
        self.database = database
        self.odata = odata
        self.writer = writer
        self.machineMetrics = machineMetrics
        self.runID = runID
        self.logger = logger
        self.progress = progress
        files = SpoolWriter(spool: spool, runID: runID, direction: .toERP)
    }

    public func run() async -> RunReport {
        let bookkeeping = RunBookkeeping(runID: runID, direction: .toERP, spool: spool, database: database, logger: logger, stop: stop)
        return await bookkeeping.perform { report in
            // Imported labor left queued by an earlier run goes first, whatever the settings are now.
            try await report.timing("import") { try await postImportedLabor(try outboundItems(ofKind: LaborImport.collection.rawValue), &$0) }
            if options.writeBack {
                try await report.timing("reconcile") { try await reconcile(&$0) }
                CrashPoint.reached("to-erp.reconciled")
                try await report.timing("write") { try await writeOutbound(&$0) }
                try await report.timing("acknowledge") { try await acknowledge(&$0) }
                try await report.timing("pull") { try await pull(&$0) }
                try await report.timing("transform") { try await transformInbox(&$0) }
                try await report.timing("write") { try await writeOutbound(&$0) }
                try await report.timing("acknowledge") { try await acknowledge(&$0) }
                switch options.postingMode {
                case .action: try await report.timing("post") { try await post(&$0) }
                case .batchJob: try reportUnpostedJournals(&report)
                case .manual: break
                }
            }
            if options.importLabor { try await report.timing("import") { try await importLabor(&$0) } }
        }
    }

    // MARK: Pull

    private func pull(_ report: inout RunReport) async throws {
        var cursor: String?
        repeat {
            let page = try await machineMetrics.pendingLaborTickets(limit: 500, cursor: cursor)
            if !page.tickets.isEmpty {
                try files.write(
                    page.tickets, kind: RecordCollection.laborTickets.rawValue, nameKind: RecordCollection.laborTickets.rawValue,
                    schema: Envelope.inboxSchema, metadata: [:], to: .inbox)
                report.add(.ticketsPulled, page.tickets.count)
                CrashPoint.reached("to-erp.pulled")
            }
            cursor = page.nextCursor
        } while cursor != nil
    }

    /// The outbound items of this direction whose envelope holds `kind`; items that cannot be read are left to
    /// whichever step validates them.
    func outboundItems(ofKind kind: String) throws -> [String] {
        try spool.items(in: .outbound, for: .toERP).filter { name in
            // This tool's names say their kind; only files named otherwise need reading to tell.
            if let named = ItemName(parsing: name), named.kind != kind { return false }
            guard let bytes = try? spool.read(name, in: .outbound),
                let envelope = try? Envelope.decode(bytes, expectedSchema: Envelope.outboundSchema)
            else {
                return false
            }
            return envelope.direction == .toERP && envelope.kind == kind
        }
    }

    // MARK: Transform

    private func transformInbox(_ report: inout RunReport) async throws {
        for name in try spool.items(in: .inbox, for: .toERP) {
            let tickets: [(ticket: LaborTicket, raw: JSONValue)]
            do {
                let envelope = try Envelope.decode(try spool.read(name, in: .inbox), expectedSchema: Envelope.inboxSchema)
                guard envelope.direction == .toERP else { continue }  // from-erp's, under a name that does not say so
                guard envelope.kind == RecordCollection.laborTickets.rawValue else {
                    throw EnvelopeError("the file holds \(envelope.kind) records, which the to-erp transform does not take")
                }
                tickets = try envelope.records.map { (try LaborTicket($0), $0) }
            } catch let error as SpoolError where error.code == .vanished {
                continue
            } catch {
                try spool.fail(
                    name, in: .inbox,
                    because: FailureReport(
                        stage: "transform", reason: String(describing: error),
                        whatToDo:
                            "Nothing from this file was written to D365. The next run asks MachineMetrics for the pending tickets again; the file can be deleted.",
                        runID: runID),
                    counting: &report)
                continue
            }
            try await transform(tickets, &report)
            CrashPoint.reached("to-erp.transformed")
            try spool.move(name, from: .inbox, to: .posted)
        }
    }
}
