import CrashPoints
import Foundation
import Hashing
import JSON
import Logging
import MachineMetrics
import Mapping
import Spool
import StateStore
import Vocabulary

/// Sends `outbound/` batches to MachineMetrics with their batch id as idempotency key; accepted batches go to
/// `posted/` with their receipt, refused ones to `failed/`, and a temporary failure stops the run with the rest queued.
///
/// From-erp sends the D365 master data; to-erp sends the D365 labor it imports.
struct MachineMetricsPoster {
    let direction: Direction
    /// The collections this direction sends.
    let collections: [RecordCollection]
    let spool: Spool
    let database: StateDatabase
    let machineMetrics: MachineMetricsClient
    let runID: String
    let logger: Logger
    let progress: Progress

    /// What a batch is known by: the batch id the contract prescribes (the file's name stem, `-`, and 12 hex digits of
    /// the SHA-256 of its records as a canonical JSON array) and each record's content hash (``MappedRecord/hash(of:)``).
    struct BatchIdentity {
        let batchID: String
        let recordHashes: [String]

        /// Both from one canonical encoding of each record, which the array's encoding joins with commas.
        init(name: String, records: [JSONValue]) {
            var batch = SHA256Hex.Stream()
            var record: [UInt8] = []
            var hashes: [String] = []
            hashes.reserveCapacity(records.count)
            for (index, value) in records.enumerated() {
                record.removeAll(keepingCapacity: true)
                record.append(UInt8(ascii: index == 0 ? "[" : ","))
                JSONEncoding.write(value, style: .canonical, indent: 0, into: &record)
                record.withUnsafeBytes { batch.update($0) }
                hashes.append(MappedRecord.hash(ofCanonical: record.dropFirst()))
            }
            Array((records.isEmpty ? "[]" : "]").utf8).withUnsafeBytes { batch.update($0) }
            let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
            batchID = Self.headerSafe(stem) + "-" + batch.finish().prefix(12)
            recordHashes = hashes
        }

        /// The stem as an `Idempotency-Key` header can carry it: a file dropped in by hand may be named with anything,
        /// so each byte outside visible ASCII (and `%` itself) is written `%XX`. This tool's own names pass unchanged.
        static func headerSafe(_ stem: String) -> String {
            let passes = { (byte: UInt8) in (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "%") }
            guard !stem.utf8.allSatisfy(passes) else { return stem }
            return stem.utf8.map { passes($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        }
    }

    /// Sends every outbound item of this direction (others are left to their direction's run).
    func postOutbound(_ report: inout RunReport) async throws {
        try await post(try spool.items(in: .outbound, for: direction), report: &report)
    }

    /// Sends the outbound items `names`, parents first.
    func post(_ names: [String], report: inout RunReport) async throws {
        let names = names.sorted { left, right in
            let (a, b) = (rank(left), rank(right))
            return a != b ? a < b : left < right
        }
        for (position, name) in names.enumerated() {
            progress.update("posting to MachineMetrics", done: position + 1, of: names.count, "batches")
            try await post(name, report: &report)
        }
        progress.finish()
    }

    /// Parents before children: a batch's place in ``collections``.
    func rank(_ name: String) -> Int {
        guard let kind = ItemName(parsing: name).flatMap({ RecordCollection(rawValue: $0.kind) }), let rank = collections.firstIndex(of: kind) else {
            return Int.max
        }
        return rank
    }

    private func post(_ name: String, report: inout RunReport) async throws {
        guard let envelope = try load(name, report: &report) else { return }
        let identity = BatchIdentity(name: name, records: envelope.records)
        let batchID = identity.batchID
        switch try await send(envelope, batchID: batchID) {
        case .success(let receipt):
            CrashPoint.reached("mm.batch-accepted")
            try record(receipt, of: envelope, name: name, identity: identity, report: &report)
        case .failure(let refusal):
            logger.error("MachineMetrics refused outbound/\(name): \(refusal)")
            let remote = JSONObject([
                ("status", .number(refusal.status ?? 0)), ("code", .string(refusal.remoteCode)), ("message", .string(refusal.remoteMessage)),
            ])
            try spool.fail(
                name, in: .outbound,
                because: FailureReport(
                    stage: "post", reason: refusal.description,
                    whatToDo:
                        "Fix what MachineMetrics names, then move the file back: mv failed/\(name) outbound/ (it is sent again as the same batch).",
                    runID: runID, remote: remote),
                counting: &report)
        }
    }

    /// The outbound file's envelope; `nil` when it vanished or did not validate (and went to `failed/`).
    private func load(_ name: String, report: inout RunReport) throws -> Envelope? {
        var problem: String?
        do {
            let envelope = try Envelope.decode(try spool.read(name, in: .outbound), expectedSchema: Envelope.outboundSchema)
            if envelope.direction != direction { return nil }  // the other direction's, under a name that does not say so
            if let collection = RecordCollection(rawValue: envelope.kind), collections.contains(collection) { return envelope }
            problem = "the file holds \(envelope.kind) records, which the \(direction.rawValue) run does not send to MachineMetrics"
        } catch let error as SpoolError where error.code == .vanished {
            logger.warning("outbound/\(name) was moved away before it was sent; leaving it to whoever moved it")
            return nil
        } catch {
            problem = String(describing: error)
        }
        let reason = problem ?? "the file is not valid"
        logger.error("outbound/\(name) cannot be used and goes to failed/: \(reason)")
        try spool.fail(
            name, in: .outbound,
            because: FailureReport(
                stage: "validate", reason: reason,
                whatToDo: "Nothing from this file was sent. If it was edited by hand, restore it; otherwise delete it — the next run sends "
                    + "whatever MachineMetrics does not have yet.", runID: runID),
            counting: &report)
        return nil
    }

    /// Sends one batch; a refusal for good is returned, everything else that goes wrong is thrown.
    private func send(_ envelope: Envelope, batchID: String) async throws -> Result<MachineMetricsClient.UpsertReceipt, MachineMetricsError> {
        if envelope.records.isEmpty {
            let body = JSONObject([("batchId", .string(batchID)), ("accepted", .number(0)), ("rejected", .array([]))])
            return .success(MachineMetricsClient.UpsertReceipt(accepted: 0, rejected: [], body: .object(body)))
        }
        do {
            return .success(try await machineMetrics.upsert(collection: envelope.kind, batchID: batchID, records: envelope.records))
        } catch let error as MachineMetricsError {
            guard error.category == .refused else { throw error }
            return .failure(error)
        }
    }

    /// Remembers what MachineMetrics accepted and rejected, writes the receipt and moves the batch to `posted/`.
    private func record(
        _ receipt: MachineMetricsClient.UpsertReceipt, of envelope: Envelope, name: String, identity: BatchIdentity,
        report: inout RunReport
    ) throws {
        let batchID = identity.batchID
        let rejectedIndexes = Set(receipt.rejected.map(\.index))
        let now = Date()
        var accepted: [StateDatabase.AcceptedRecord] = []
        for (index, record) in envelope.records.enumerated() where !rejectedIndexes.contains(index) {
            guard let key = record["key"]?.stringValue else { continue }
            let inScope =
                RecordCollection(rawValue: envelope.kind).map { FromERPMapping.isInSynchronisedSet(collection: $0, record: record) } ?? false
            accepted.append(StateDatabase.AcceptedRecord(key: key, hash: identity.recordHashes[index], inScope: inScope))
        }
        try database.recordAccepted(collection: envelope.kind, accepted, runID: runID, at: now)
        CrashPoint.reached("mm.batch-recorded")
        if !receipt.rejected.isEmpty {
            var rejections: [StateDatabase.Rejection] = []
            for rejection in receipt.rejected {
                let fallback = envelope.records.indices.contains(rejection.index) ? envelope.records[rejection.index]["key"]?.stringValue : nil
                let key = rejection.key ?? fallback ?? "#\(rejection.index)"
                rejections.append(
                    StateDatabase.Rejection(
                        collection: envelope.kind, key: key, code: rejection.code, message: rejection.message,
                        batchID: batchID, runID: runID))
                if rejections.count <= 5 {
                    logger.warning("MachineMetrics rejected \(envelope.kind) record \(key): \(rejection.code) \(rejection.message)")
                }
            }
            try database.recordRejections(rejections, at: now)
            report.add(.recordsRejected, rejections.count)
            report.needsOperator()
        }
        let sidecar = JSONObject([
            ("batchId", .string(batchID)), ("collection", .string(envelope.kind)), ("runId", .string(runID)),
            ("at", .string(ISO8601DateFormatter().string(from: now))), ("answer", receipt.body),
        ])
        do {
            try spool.move(name, from: .outbound, to: .posted, adding: Spool.NewSidecar(.receipt, sidecar))
        } catch let error as SpoolError where error.code == .vanished {
            logger.warning("outbound/\(name) was moved away right after MachineMetrics accepted it")
        }
        report.add(.batchesPosted)
        report.add(.recordsAccepted, accepted.count)
    }
}
