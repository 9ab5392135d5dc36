import Foundation
import Hashing
import JSON
import Timestamps

/// A self-validating spool file: what it holds, where it came from, how many records and their checksum.
///
/// The header is indented for people and each record sits on its own line, written compactly. The checksum is
/// `sha256-tree:` and the SHA-256 of the records' own SHA-256s (32 bytes each, in order), each taken over the record's
/// line without its indent and comma: a file cut short, edited or garbled does not validate, and each record's digest,
/// which tells a row met again, comes with writing the file. Files written before carry `sha256:` and the SHA-256 of
/// the records joined by newlines; they are checked that way.
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

    public init(schema: String, runID: String, direction: Direction, kind: String, createdAt: Date, metadata: JSONObject = [:], records: [JSONValue])
    {
        self.schema = schema
        self.runID = runID
        self.direction = direction
        self.kind = kind
        self.createdAt = createdAt
        self.metadata = metadata
        self.records = records
    }

    /// The checksum of `records` as this version writes it: `sha256-tree:` and 64 hex digits.
    public static func checksum(of records: [JSONValue]) -> String { treeChecksum(recordDigests(of: records)) }

    /// The SHA-256 of each record written compactly.
    public static func recordDigests(of records: [JSONValue]) -> [SHA256Bytes] {
        var scratch: [UInt8] = []
        return records.map { record in
            scratch.removeAll(keepingCapacity: true)
            JSONEncoding.write(record, style: .compact, indent: 0, into: &scratch)
            return SHA256Bytes(digesting: scratch)
        }
    }

    static let treePrefix = "sha256-tree:"
    private static let joinedPrefix = "sha256:"

    private static func treeChecksum(_ recordDigests: [SHA256Bytes]) -> String {
        var stream = SHA256Hex.Stream()
        for digest in recordDigests { digest.withUnsafeBytes { stream.update($0) } }
        return treePrefix + stream.finish()
    }

    /// The checksum of files written before `sha256-tree:`: the records written compactly, joined by newlines.
    private static func joinedChecksum(of records: [JSONValue]) -> String {
        var stream = SHA256Hex.Stream()
        var scratch: [UInt8] = []
        for (index, record) in records.enumerated() {
            scratch.removeAll(keepingCapacity: true)
            if index > 0 { scratch.append(0x0A) }
            JSONEncoding.write(record, style: .compact, indent: 0, into: &scratch)
            scratch.withUnsafeBytes { stream.update($0) }
        }
        return joinedPrefix + stream.finish()
    }

    /// Whether `checksum`, of whichever kind, is that of `records`; `nil` for a kind this version does not know.
    private static func checksum(_ checksum: String, matches records: [JSONValue]) -> Bool? {
        if checksum.hasPrefix(treePrefix) { return checksum == Self.checksum(of: records) }
        if checksum.hasPrefix(joinedPrefix) { return checksum == joinedChecksum(of: records) }
        return nil
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] { encodedWithRecordDigests().bytes }

    /// The file's bytes and the SHA-256 of each record as the file holds it (``recordDigests(of:)``).
    public func encodedWithRecordDigests() -> (bytes: [UInt8], recordDigests: [SHA256Bytes]) {
        var header = JSONObject([
            ("schema", .string(schema)), ("runId", .string(runID)), ("direction", .string(direction.rawValue)),
            ("kind", .string(kind)), ("createdAt", .string(Self.timestamp(createdAt))),
        ])
        header.members += metadata.members
        let document = Self.encode(header: header, records: records)
        return (document.bytes, document.recordDigests)
    }

    /// `header`, then `recordCount`, `checksum` and `records`: the layout of every self-validating file of the spool
    /// (envelopes and stored pages), with the SHA-256 of each record and the checksum.
    ///
    /// Made in one buffer: the header with room for the checksum, each record written straight after it and hashed
    /// where it lies, then the checksum put in its place. A page of 10,000 rows costs the file's size once, not twice
    /// and 10,000 small arrays.
    static func encode(header: JSONObject, records: [JSONValue]) -> (bytes: [UInt8], recordDigests: [SHA256Bytes], checksum: String) {
        let placeholder = treePrefix + String(repeating: "0", count: 64)
        var header = header
        header.members += [("recordCount", .number(records.count)), ("checksum", .string(placeholder))]
        var output = JSONEncoding.bytes(.object(header), style: .pretty)
        output.removeLast()  // the closing brace: the records follow
        while output.last == 0x0A { output.removeLast() }
        // The checksum is the header's last member: its text ends just before the final quote.
        let checksumRange = (output.count - 1 - placeholder.utf8.count)..<(output.count - 1)
        output.append(contentsOf: Array(",\n  \"records\": [".utf8))
        var recordDigests: [SHA256Bytes] = []
        recordDigests.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            output.append(contentsOf: index == 0 ? [0x0A, 0x20, 0x20, 0x20, 0x20] : [0x2C, 0x0A, 0x20, 0x20, 0x20, 0x20])
            let start = output.count
            JSONEncoding.write(record, style: .compact, indent: 0, into: &output)
            if index == 0 {
                // Rows of a page are much alike: room for all of them at the first one's size, and a fifth more.
                output.reserveCapacity(output.count + (output.count - start + 6) * (records.count - 1) * 6 / 5 + 8)
            }
            output.withUnsafeBytes { bytes in
                var digest = SHA256Hex.Stream()
                digest.update(UnsafeRawBufferPointer(rebasing: bytes[start..<output.count]))
                recordDigests.append(digest.finishBytes())
            }
        }
        let checksum = treeChecksum(recordDigests)
        output.replaceSubrange(checksumRange, with: checksum.utf8)
        output.append(contentsOf: Array((records.isEmpty ? "]\n}\n" : "\n  ]\n}\n").utf8))
        return (output, recordDigests, checksum)
    }

    /// Reads and validates a spool file; throws a reason an operator can act on.
    public static func decode(_ bytes: [UInt8], expectedSchema: String) throws(EnvelopeError) -> Envelope {
        let object = try object(of: bytes, expectedSchema: expectedSchema)
        guard let runID = object["runId"]?.stringValue, let directionText = object["direction"]?.stringValue,
            let direction = Direction(rawValue: directionText), let kind = object["kind"]?.stringValue,
            let createdText = object["createdAt"]?.stringValue, let createdAt = Self.parseTimestamp(createdText)
        else {
            throw EnvelopeError("the envelope lacks runId, direction, kind or createdAt")
        }
        let records = try validatedRecords(of: object)
        let known: Set = ["schema", "runId", "direction", "kind", "createdAt", "recordCount", "checksum", "records"]
        let metadata = JSONObject(object.members.filter { !known.contains($0.key) })
        return Envelope(
            schema: expectedSchema, runID: runID, direction: direction, kind: kind, createdAt: createdAt, metadata: metadata, records: records)
    }

    /// The top-level object of a spool file whose `schema` is `expectedSchema`.
    static func object(of bytes: [UInt8], expectedSchema: String) throws(EnvelopeError) -> JSONObject {
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
            throw EnvelopeError(
                "the file's schema is \"\(schema)\" where \"\(expectedSchema)\" belongs; it is in the wrong folder or from another version")
        }
        return object
    }

    /// The records of a decoded spool file, once their count and checksum are found to be as the file says.
    static func validatedRecords(of object: JSONObject) throws(EnvelopeError) -> [JSONValue] {
        guard let records = object["records"]?.arrayValue else { throw EnvelopeError("the envelope has no \"records\" array") }
        guard let count = object["recordCount"]?.intValue, count == records.count else {
            throw EnvelopeError(
                "the envelope says \(object["recordCount"].map { JSONEncoding.string($0) } ?? "nothing") records but holds \(records.count)")
        }
        guard let checksum = object["checksum"]?.stringValue else { throw EnvelopeError("the envelope has no \"checksum\"") }
        switch Self.checksum(checksum, matches: records) {
        case true: return records
        case false: throw EnvelopeError("the records do not match the envelope's checksum: the file was edited or damaged after it was written")
        case nil:
            throw EnvelopeError(
                "the checksum starts \"\(checksum.prefix(16))\", not \(treePrefix) or \(joinedPrefix): the file was damaged or comes from a newer version of d365mm"
            )
        }
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
