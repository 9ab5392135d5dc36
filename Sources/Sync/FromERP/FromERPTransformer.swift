import CrashPoints
import Foundation
import Hashing
import JSON
import Logging
import Mapping
import Spool
import StateStore
import Vocabulary

/// Turns `inbox/` pages into `outbound/` batches of MachineMetrics records, keeping only records whose content
/// differs from what MachineMetrics last accepted.
///
/// Pages come two ways: files already in `inbox/` (``transformInbox(_:)``), and pages the pull has just written
/// (``take(_:report:)``, then ``finishTaken(report:)``). Either way an inbox file moves to `posted/` only after the
/// batches holding its records are written. A row whose digest is known to make a record MachineMetrics has accepted
/// as it is, is not mapped again.
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
    private var buffers: [RecordCollection: [JSONValue]] = [:]
    /// What this run already put in a batch, so that a record met twice is sent once.
    private var emitted = Set<Int>()
    /// Inbox files whose records are buffered, not yet all written to batches.
    private var taken: [String] = []
    /// Which rows made the records mapped since the last flush; remembered many at a time, as each write is an fsync.
    private var sources: [StateDatabase.RecordSource] = []
    private static let sourcesPerWrite = 5_000
    /// The collections whose remembered row digests are known to be made under this run's mapping revision and scope.
    private var digestContextsChecked = Set<RecordCollection>()

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
        for name in try spool.items(in: .inbox, for: .fromERP) {
            try Task.checkCancellation()  // a run being stopped leaves the rest for the next one
            let page: InboxPage
            do {
                page = InboxPage(name: name, bytes: try spool.read(name, in: .inbox))
            } catch let error as SpoolError where error.code == .vanished {
                logger.warning("inbox/\(name) was moved away while the run was reading it; leaving it to whoever moved it")
                continue
            } catch {
                page = InboxPage(name: name, content: .unusable(String(describing: error)))
            }
            try take(page, report: &report)
        }
        try finishTaken(report: &report)
    }

    /// Buffers the changed records of `page`, writing each batch as it fills; every ``inboxFilesPerFlush`` pages,
    /// writes what is buffered and retires those pages.
    func take(_ page: InboxPage, report: inout RunReport) throws {
        switch page.content {
        case .notFromERP: return
        case .unusable(let reason): try failInbox(page.name, reason: reason, report: &report)
        case .rows(let entitySet, let rows, let digests):
            try useDigestsMade(under: entitySet)
            let known = try alreadyAccepted(rows, entitySet: entitySet, digests: digests)
            var records: [MappedRecord] = []
            var madeFrom: [StateDatabase.RecordSource] = []
            for (index, row) in rows.enumerated() where !known[index] {
                let record: MappedRecord
                do {
                    record = try FromERPMapping.record(entitySet: entitySet, row: row, scope: scope)
                } catch {
                    try failInbox(page.name, reason: "record \(index + 1): \(error.description)", report: &report)
                    return
                }
                records.append(record)
                madeFrom.append(
                    StateDatabase.RecordSource(collection: record.collection.rawValue, key: record.key, digest: digests[index], hash: record.hash))
            }
            report.add(.rowsTransformed, rows.count)
            if records.count < rows.count { report.add(.recordsUnchanged, rows.count - records.count) }
            try add(records, report: &report)
            sources += madeFrom
            if sources.count >= Self.sourcesPerWrite { try rememberSources() }
            report.add(.inboxFilesTransformed)
            taken.append(page.name)
            if taken.count >= Self.inboxFilesPerFlush { try finishTaken(report: &report) }
        }
    }

    /// Forgets what rows made in `entitySet`'s collection when that was under another mapping revision or scope; once
    /// per collection and run.
    private func useDigestsMade(under entitySet: EntitySet) throws {
        guard let collection = entitySet.pull?.collection, !digestContextsChecked.contains(collection) else { return }
        try database.useSourceDigests(collection: collection.rawValue, madeUnder: FromERPMapping.digestContext(entitySet: entitySet, scope: scope))
        digestContextsChecked.insert(collection)
    }

    /// Which of `rows` make records that MachineMetrics has as they are: the row that made each one last had the same
    /// digest. Always none with `--full`.
    private func alreadyAccepted(_ rows: [JSONValue], entitySet: EntitySet, digests: [SHA256Bytes]) throws -> [Bool] {
        guard !full, let collection = entitySet.pull?.collection else { return [Bool](repeating: false, count: rows.count) }
        return try database.madeAcceptedRecords(collection: collection.rawValue, digests: digests) {
            FromERPMapping.key(entitySet: entitySet, row: rows[$0])
        }
    }

    /// Writes every buffered record to a batch and retires the pages they came from.
    func finishTaken(report: inout RunReport) throws {
        try flush(report: &report)
        try rememberSources()
        try retire(taken)
        taken = []
    }

    private func rememberSources() throws {
        try database.rememberSources(sources)
        sources = []
    }

    /// Buffers those of `records` that this run has not met yet and whose content MachineMetrics does not have.
    private func add(_ records: [MappedRecord], report: inout RunReport) throws {
        let firstMet = records.filter { record in
            var hasher = Hasher()
            hasher.combine(record.collection)
            hasher.combine(record.key)
            hasher.combine(record.hash)
            return emitted.insert(hasher.finalize()).inserted
        }
        let accepted = full ? [] : try database.acceptedHashes(firstMet.map { ($0.collection.rawValue, $0.key) })
        var unchanged = 0
        var toSend = 0
        defer {
            if unchanged > 0 { report.add(.recordsUnchanged, unchanged) }
            if toSend > 0 { report.add(.recordsToSend, toSend) }
        }
        for (index, record) in firstMet.enumerated() {
            if !full && accepted[index] == record.hash {
                unchanged += 1
                continue
            }
            buffers[record.collection, default: []].append(record.record)
            toSend += 1
            if buffers[record.collection]!.count >= Self.batchSize {
                try writeBatch(record.collection, report: &report)
            }
        }
    }

    private func flush(report: inout RunReport) throws {
        for collection in RecordCollection.sendingOrder where !(buffers[collection] ?? []).isEmpty {
            try writeBatch(collection, report: &report)
        }
    }

    private func writeBatch(_ collection: RecordCollection, report: inout RunReport) throws {
        let records = buffers[collection] ?? []
        buffers[collection] = []
        try writer.write(
            records, kind: collection.rawValue, nameKind: collection.rawValue, schema: Envelope.outboundSchema, metadata: [:], to: .outbound)
        CrashPoint.reached("from-erp.batch-written")
        report.add(.batchesWritten)
    }

    /// Moves transformed inbox files to `posted/`: their work is done.
    private func retire(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        CrashPoint.reached("from-erp.transformed")
        for name in try spool.move(names, from: .inbox, to: .posted) {
            logger.warning("inbox/\(name) was moved away by someone else after it was transformed")
        }
    }

    private func failInbox(_ name: String, reason: String, report: inout RunReport) throws {
        logger.error("inbox/\(name) cannot be used and goes to failed/: \(reason)")
        try spool.fail(
            name, in: .inbox,
            because: FailureReport(
                stage: "transform", reason: reason,
                whatToDo:
                    "Nothing reaches MachineMetrics from this file. The next run pulls the same data from D365 again, so it can usually be deleted "
                    + "(d365mm archives before deleting). If it was edited by hand, restore it or let the next pull replace it.",
                runID: writer.runID),
            counting: &report)
    }
}
