import Foundation
import Hashing
import JSON
import Spool
import Synchronization

/// Publishes a run's envelopes with names in the contract's pattern and a sequence per kind.
/// Safe to share between the tasks of a run.
final class SpoolWriter: Sendable {
    let spool: Spool
    let runID: String
    let direction: Direction
    private let sequences = Mutex<[String: Int]>([:])

    init(spool: Spool, runID: String, direction: Direction) {
        self.spool = spool
        self.runID = runID
        self.direction = direction
    }

    /// A file as written: its name, and the SHA-256 of each record as the file holds it.
    struct WrittenFile {
        let name: String
        let recordDigests: [SHA256Bytes]
    }

    /// Writes `records` as the next file of `kind` in `folder`.
    @discardableResult
    func write(_ records: [JSONValue], kind: String, nameKind: String, schema: String, metadata: JSONObject, to folder: SpoolFolder) throws
        -> WrittenFile
    {
        let (file, bytes) = encode(records, kind: kind, nameKind: nameKind, schema: schema, metadata: metadata)
        try spool.publish(bytes, as: file.name, in: folder)
        return file
    }

    /// ``write(_:kind:nameKind:schema:metadata:to:)`` for tasks that write file after file, such as the pull's
    /// readers: the file is flushed off the task pool (``Spool/publishOffTaskPool(_:as:in:)``).
    func writeOffTaskPool(
        _ records: [JSONValue], kind: String, nameKind: String, schema: String, metadata: JSONObject,
        to folder: SpoolFolder
    ) async throws -> WrittenFile {
        let (file, bytes) = encode(records, kind: kind, nameKind: nameKind, schema: schema, metadata: metadata)
        try await spool.publishOffTaskPool(bytes, as: file.name, in: folder)
        return file
    }

    private func encode(_ records: [JSONValue], kind: String, nameKind: String, schema: String, metadata: JSONObject) -> (WrittenFile, [UInt8]) {
        let name = nextName(nameKind: nameKind)
        let envelope = Envelope(
            schema: schema, runID: runID, direction: direction, kind: kind, createdAt: Date(), metadata: metadata, records: records)
        let (bytes, digests) = envelope.encodedWithRecordDigests()
        return (WrittenFile(name: name, recordDigests: digests), bytes)
    }

    /// The name of this run's next file of `nameKind`.
    func nextName(nameKind: String) -> String {
        let sequence = sequences.withLock { counters -> Int in
            counters[nameKind, default: 0] += 1
            return counters[nameKind]!
        }
        return ItemName(time: Date(), runID: runID, direction: direction, kind: nameKind, sequence: sequence).description
    }
}
