import CrashPoints
import Foundation
import JSON
import Logging
import Mapping
import Spool
import StateStore

/// Turns `inbox/` pages into `outbound/` batches of MachineMetrics records, keeping only records whose content
/// differs from what MachineMetrics last accepted.
final class FromERPTransformer {
    static let batchSize = 1000
    /// Inbox files are moved to `posted/` only after the batches holding their records are written; this many at a time.
    static let inboxFilesPerFlush = 64

    private let spool: Spool
    private let writer: SpoolWriter
    private let database: StateDatabase
    private let scope: FromERPMapping.Scope
    private let full: Bool
    private let logger: Logger
    private var buffers: [String: [JSONValue]] = [:]
    /// What this run already put in a batch, so that a record met twice is sent once.
    private var emitted = Set<Int>()

    init(spool: Spool, writer: SpoolWriter, database: StateDatabase, scope: FromERPMapping.Scope, full: Bool, logger: Logger) {
        self.spool = spool
        self.writer = writer
        self.database = database
        self.scope = scope
        self.full = full
        self.logger = logger
    }

    /// Transforms every item in `inbox/`: leftovers and hand-moved files as well as this run's pages.
    func transformInbox(_ report: inout RunReport) throws {
        var processed: [String] = []
        for name in try spool.items(in: .inbox, for: .fromERP) {
            let bytes: [UInt8]
            do {
                bytes = try spool.read(name, in: .inbox)
            } catch let error as SpoolError where error.code == .vanished {
                logger.warning("inbox/\(name) was moved away while the run was reading it; leaving it to whoever moved it")
                continue
            }
            let records: [MappedRecord]
            switch mapped(bytes) {
            case .success(let result?): records = result
            case .success(nil): continue  // the other direction's, under a name that does not say so
            case .failure(let reason):
                try failInbox(name, reason: reason.description, report: &report)
                continue
            }
            report.add("rows transformed", records.count)
            for record in records { try add(record, report: &report) }
            report.add("inbox files transformed")
            processed.append(name)
            if processed.count >= Self.inboxFilesPerFlush {
                try flush(report: &report)
                try retire(processed)
                processed = []
            }
        }
        try flush(report: &report)
        try retire(processed)
    }

    /// The records of an inbox file (`nil` when it belongs to to-erp), or why the file cannot be used.
    private func mapped(_ bytes: [UInt8]) -> Result<[MappedRecord]?, EnvelopeError> {
        let envelope: Envelope
        do {
            envelope = try Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema)
        } catch {
            return .failure(error)
        }
        guard envelope.direction == .fromERP else { return .success(nil) }
        guard FromERPMapping.collections[envelope.kind] != nil else {
            return .failure(EnvelopeError("the file holds \(envelope.kind) rows, which the from-erp transform does not take"))
        }
        var records: [MappedRecord] = []
        records.reserveCapacity(envelope.records.count)
        for (index, row) in envelope.records.enumerated() {
            do {
                records.append(try FromERPMapping.record(entitySet: envelope.kind, row: row, scope: scope))
            } catch {
                return .failure(EnvelopeError("record \(index + 1): \(error.description)"))
            }
        }
        return .success(records)
    }

    private func add(_ record: MappedRecord, report: inout RunReport) throws {
        let hash = record.hash
        var hasher = Hasher()
        hasher.combine(record.collection)
        hasher.combine(record.key)
        hasher.combine(hash)
        guard emitted.insert(hasher.finalize()).inserted else { return }
        if !full, try database.acceptedHash(collection: record.collection, key: record.key) == hash {
            report.add("records unchanged")
            return
        }
        buffers[record.collection, default: []].append(record.record)
        report.add("records to send")
        if buffers[record.collection]!.count >= Self.batchSize {
            try writeBatch(record.collection, report: &report)
        }
    }

    private func flush(report: inout RunReport) throws {
        for collection in FromERPMapping.collectionOrder where !(buffers[collection] ?? []).isEmpty {
            try writeBatch(collection, report: &report)
        }
    }

    private func writeBatch(_ collection: String, report: inout RunReport) throws {
        let records = buffers[collection] ?? []
        buffers[collection] = []
        try writer.write(records, kind: collection, nameKind: collection, schema: Envelope.outboundSchema, metadata: [:], to: .outbound)
        CrashPoint.reached("from-erp.batch-written")
        report.add("batches written")
    }

    /// Moves transformed inbox files to `posted/`: their work is done.
    private func retire(_ names: [String]) throws {
        if !names.isEmpty { CrashPoint.reached("from-erp.transformed") }
        for name in names {
            do {
                try spool.move(name, from: .inbox, to: .posted)
            } catch let error as SpoolError where error.code == .vanished {
                logger.warning("inbox/\(name) was moved away by someone else after it was transformed")
            }
        }
    }

    private func failInbox(_ name: String, reason: String, report: inout RunReport) throws {
        logger.error("inbox/\(name) cannot be used and goes to failed/: \(reason)")
        try spool.fail(name, in: .inbox, report: FailureReport(
            stage: "transform", reason: reason,
            whatToDo: "Nothing reaches MachineMetrics from this file. The next run pulls the same data from D365 again, so it can usually be deleted "
                + "(d365mm archives before deleting). If it was edited by hand, restore it or let the next pull replace it.",
            runID: writer.runID))
        report.add("files failed")
        report.needsOperator()
    }
}
