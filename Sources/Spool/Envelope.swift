import Foundation
import Hashing
import Timestamps
import JSON

/// A self-validating spool file: what it holds, where it came from, how many records and their checksum.
///
/// The header is indented for people and each record sits on its own line. The checksum is the SHA-256 of the
/// records, each written compactly, joined by newlines: a file cut short, edited or garbled does not validate.
public struct Envelope: Sendable, Equatable {
    public static let inboxSchema = "d365mm.inbox/1"
    public static let outboundSchema = "d365mm.outbound/1"

    public var schema: String
    public var runID: String
    public var direction: Direction
    /// The D365 entity set (inbox) or the MachineMetrics collection or D365 journal kind (outbound).
    public var kind: String
    public var createdAt: Date
    /// Facts about the records' origin: the OData query and page number, the batch id, …
    public var metadata: JSONObject
    public var records: [JSONValue]

    public init(schema: String, runID: String, direction: Direction, kind: String, createdAt: Date, metadata: JSONObject = [:], records: [JSONValue]) {
        self.schema = schema
        self.runID = runID
        self.direction = direction
        self.kind = kind
        self.createdAt = createdAt
        self.metadata = metadata
        self.records = records
    }

    /// The checksum of `records`: `sha256:` and 64 hex digits.
    public static func checksum(of records: [JSONValue]) -> String {
        var digest = RecordDigest()
        var scratch: [UInt8] = []
        for record in records {
            scratch.removeAll(keepingCapacity: true)
            JSONEncoding.write(record, style: .compact, indent: 0, into: &scratch)
            scratch.withUnsafeBytes { digest.add($0) }
        }
        return digest.checksum
    }

    /// The SHA-256 of records written compactly, joined by newlines.
    private struct RecordDigest {
        private var stream = SHA256Hex.Stream()
        private var first = true

        mutating func add(_ record: UnsafeRawBufferPointer) {
            if !first { withUnsafeBytes(of: UInt8(0x0A)) { stream.update($0) } }
            first = false
            stream.update(record)
        }

        var checksum: String { "sha256:" + stream.finish() }
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] { encode(digestingRecordsAfter: nil).bytes }

    /// The file's bytes, and for each record the SHA-256 of `seed` followed by the record as the file holds it:
    /// digests of the rows as pulled, for the price of hashing them once more.
    public func encoded(digestingRecordsAfter seed: [UInt8]) -> (bytes: [UInt8], recordDigests: [SHA256Bytes]) {
        encode(digestingRecordsAfter: seed)
    }

    /// Made in one buffer: the header with room for the checksum, each record written straight after it and hashed
    /// where it lies, then the checksum put in its place. A page of 10,000 rows costs the file's size once, not twice
    /// and 10,000 small arrays.
    private func encode(digestingRecordsAfter seed: [UInt8]?) -> (bytes: [UInt8], recordDigests: [SHA256Bytes]) {
        let placeholder = "sha256:" + String(repeating: "0", count: 64)
        var header = JSONObject([
            ("schema", .string(schema)), ("runId", .string(runID)), ("direction", .string(direction.rawValue)),
            ("kind", .string(kind)), ("createdAt", .string(Self.timestamp(createdAt))),
        ])
        header.members += metadata.members
        header.members += [("recordCount", .number(records.count)), ("checksum", .string(placeholder))]
        var output = JSONEncoding.bytes(.object(header), style: .pretty)
        output.removeLast()  // the closing brace: the records follow
        while output.last == 0x0A { output.removeLast() }
        // The checksum is the header's last member: its text ends just before the final quote.
        let checksumRange = (output.count - 1 - placeholder.utf8.count)..<(output.count - 1)
        output.append(contentsOf: Array(",\n  \"records\": [".utf8))
        var digest = RecordDigest()
        var recordDigests: [SHA256Bytes] = []
        if seed != nil { recordDigests.reserveCapacity(records.count) }
        for (index, record) in records.enumerated() {
            output.append(contentsOf: index == 0 ? [0x0A, 0x20, 0x20, 0x20, 0x20] : [0x2C, 0x0A, 0x20, 0x20, 0x20, 0x20])
            let start = output.count
            JSONEncoding.write(record, style: .compact, indent: 0, into: &output)
            if index == 0 {
                // Rows of a page are much alike: room for all of them at the first one's size, and a fifth more.
                output.reserveCapacity(output.count + (output.count - start + 6) * (records.count - 1) * 6 / 5 + 8)
            }
            output.withUnsafeBytes { bytes in
                let written = UnsafeRawBufferPointer(rebasing: bytes[start..<output.count])
                digest.add(written)
                if let seed {
                    var recordDigest = SHA256Hex.Stream()
                    seed.withUnsafeBytes { recordDigest.update($0) }
                    recordDigest.update(written)
                    recordDigests.append(recordDigest.finishBytes())
                }
            }
        }
        output.replaceSubrange(checksumRange, with: digest.checksum.utf8)
        output.append(contentsOf: Array((records.isEmpty ? "]\n}\n" : "\n  ]\n}\n").utf8))
        return (output, recordDigests)
    }

    /// Reads and validates a spool file; throws a reason an operator can act on.
    public static func decode(_ bytes: [UInt8], expectedSchema: String) throws(EnvelopeError) -> Envelope {
        guard !bytes.isEmpty else { throw EnvelopeError("the file is empty") }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw EnvelopeError("the file is not complete JSON (\(error.description)); it may have been cut short or is not a d365mm file")
        }
        guard case .object(let object) = document else { throw EnvelopeError("the file holds JSON but not a d365mm envelope object") }
        guard let schema = object["schema"]?.stringValue else { throw EnvelopeError("the file has no \"schema\": it is not a d365mm spool file") }
        guard schema == expectedSchema else {
            throw EnvelopeError("the file's schema is \"\(schema)\" where \"\(expectedSchema)\" belongs; it is in the wrong folder or from another version")
        }
        guard let runID = object["runId"]?.stringValue, let directionText = object["direction"]?.stringValue,
              let direction = Direction(rawValue: directionText), let kind = object["kind"]?.stringValue,
              let createdText = object["createdAt"]?.stringValue, let createdAt = Self.parseTimestamp(createdText) else {
            throw EnvelopeError("the envelope lacks runId, direction, kind or createdAt")
        }
        guard let records = object["records"]?.arrayValue else { throw EnvelopeError("the envelope has no \"records\" array") }
        guard let count = object["recordCount"]?.intValue, count == records.count else {
            throw EnvelopeError("the envelope says \(object["recordCount"].map { JSONEncoding.string($0) } ?? "nothing") records but holds \(records.count)")
        }
        guard let checksum = object["checksum"]?.stringValue, checksum == Self.checksum(of: records) else {
            throw EnvelopeError("the records do not match the envelope's checksum: the file was edited or damaged after it was written")
        }
        let known: Set = ["schema", "runId", "direction", "kind", "createdAt", "recordCount", "checksum", "records"]
        let metadata = JSONObject(object.members.filter { !known.contains($0.key) })
        return Envelope(schema: schema, runID: runID, direction: direction, kind: kind, createdAt: createdAt, metadata: metadata, records: records)
    }

    static func timestamp(_ date: Date) -> String {
        UTCCalendar.dateTimeText(seconds: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    static func parseTimestamp(_ text: String) -> Date? {
        UTCCalendar.seconds(ofInstant: text).map { Date(timeIntervalSince1970: $0) }
    }
}

/// Why a spool file does not validate.
public struct EnvelopeError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
