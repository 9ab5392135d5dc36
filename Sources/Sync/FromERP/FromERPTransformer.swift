import CrashPoints
import Foundation
import Hashing
import JSON
import Logging
import Mapping
import Spool
import StateStore
import Vocabulary

/// Turns pulled pages into `outbound/` batches of MachineMetrics records, keeping only records whose content
/// differs from what MachineMetrics last accepted.
///
/// Pages come two ways: items already in `inbox/` (``transformInbox(_:)``), files of rows or `pages` items naming
/// kept pages, and pages the pull has just kept (``take(_:report:)``, then ``finishTaken(report:)``). Either way a page
/// counts as done, and an inbox item moves to `posted/`, only after the batches holding its records are written. A row
/// whose digest is known to make a record MachineMetrics has accepted as it is, is not mapped again.
final class FromERPTransformer {
    static let batchSize = 1000
    /// Pages count as done only after the batches holding their records are written; this many at a time.
    static let pagesPerFlush = 64

    private let spool: Spool
    private let pageStore: PageStore
    private let writer: SpoolWriter
    private let database: StateDatabase
    private let scope: FromERPMapping.Scope
    private let full: Bool
    private let logger: Logger
    private var buffers: [RecordCollection: [JSONValue]] = [:]
    /// What this run already put in a batch, so that a record met twice is sent once.
    private var emitted = Set<Int>()
    /// Pages whose records are buffered, not yet all written to batches.
    private var taken: [InboxPage.Source] = []
    /// The numbers of the pull's pages that are done: transformed, or put in `failed/`.
    private(set) var pulledPagesDone = Set<Int>()
    /// Which rows made the records mapped since the last flush; remembered many at a time, as each write is an fsync.
    private var sources: [StateDatabase.RecordSource] = []
    private static let sourcesPerWrite = 5_000
    /// The collections whose remembered row digests are known to be made under this run's mapping revision and scope.
    private var digestContextsChecked = Set<RecordCollection>()

    init(spool: Spool, writer: SpoolWriter, database: StateDatabase, scope: FromERPMapping.Scope, full: Bool, logger: Logger) {
        self.spool = spool
        pageStore = PageStore(spool: spool)
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
                page = InboxPage(source: .file(name), content: .unusable(String(describing: error)))
            }
            try take(page, report: &report)
        }
        try finishTaken(report: &report)
    }

    /// Takes the pages an inbox `pages` item names, one at a time, from the page store. A page that cannot be read back
    /// as it was kept fails the item, and its later pages are not taken.
    private func takeListedPages(of item: PageListItem, named name: String, report: inout RunReport) throws {
        do {
            let list = try pageStore.pageList(at: item.list)
            guard !list.entries.isEmpty else { return try retire([.file(name)]) }
            for (index, entry) in list.entries.enumerated() {
                let records = try pageStore.records(at: entry.address)
                let page = InboxPage(listedIn: name, entry: entry, records: records, isLast: index == list.entries.count - 1)
                guard try take(page, report: &report) else { return }
            }
        } catch let error as PageStoreError {
            try failInbox(name, reason: error.description, report: &report)
        }
    }

    /// Buffers the changed records of `page`, writing each batch as it fills; every ``pagesPerFlush`` pages, writes
    /// what is buffered and retires those pages. Returns whether the page could be used.
    @discardableResult
    func take(_ page: InboxPage, report: inout RunReport) throws -> Bool {
        switch page.content {
        case .notFromERP: return true
        case .pageList(let item):
            // Only an inbox file holds a page list; its pages are taken one by one.
            guard case .file(let name) = page.source else { return true }
            try takeListedPages(of: item, named: name, report: &report)
            return true
        case .unusable(let reason):
            try fail(page, rows: [], reason: reason, report: &report)
            return false
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
                    try fail(page, rows: rows, reason: "record \(index + 1): \(error.description)", report: &report)
                    return false
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
            taken.append(page.source)
            if taken.count >= Self.pagesPerFlush { try finishTaken(report: &report) }
            return true
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

    /// Moves transformed inbox items to `posted/`, and counts the pull's pages done: their work is done.
    private func retire(_ pages: [InboxPage.Source]) throws {
        guard !pages.isEmpty else { return }
        CrashPoint.reached("from-erp.transformed")
        var names: [String] = []
        for page in pages {
            switch page {
            case .file(let name), .listed(let name, _, isLast: true): names.append(name)
            case .listed(_, _, isLast: false): break
            case .pulled(let number, _): pulledPagesDone.insert(number)
            }
        }
        for name in try spool.move(names, from: .inbox, to: .posted) {
            logger.warning("inbox/\(name) was moved away by someone else after it was transformed")
        }
    }

    /// Puts a page that cannot be used in `failed/` with the reason: the inbox item that holds or lists it, or, for a
    /// page of this run's pull, a file of its rows.
    private func fail(_ page: InboxPage, rows: [JSONValue], reason: String, report: inout RunReport) throws {
        switch page.source {
        case .file(let name): try failInbox(name, reason: reason, report: &report)
        case .listed(let name, let entry, _):
            try failInbox(name, reason: "page \(entry.page) of \(entry.entitySet) it lists (\(entry.address)): \(reason)", report: &report)
        case .pulled(let number, let entry):
            let metadata = JSONObject([("query", .string(entry.query)), ("page", .number(entry.page))])
            let written = try writer.write(
                rows, kind: entry.entitySet, nameKind: EntitySet.named(entry.entitySet)?.inboxKind ?? entry.entitySet, schema: Envelope.inboxSchema,
                metadata: metadata, to: .inbox)
            pulledPagesDone.insert(number)
            try failInbox(written.name, reason: reason, report: &report)
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
