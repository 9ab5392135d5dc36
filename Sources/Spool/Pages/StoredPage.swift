import Hashing
import JSON

/// Where the page store keeps a page: its records' `sha256-tree:` checksum, whose 64 hex digits name the file.
public struct PageAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let hex: String

    /// The address a checksum names; `nil` for anything but `sha256-tree:` and 64 lowercase hex digits, so that no
    /// text read from a file can name a path.
    public init?(checksum: String) {
        guard checksum.hasPrefix(Envelope.treePrefix) else { return nil }
        self.init(hex: String(checksum.dropFirst(Envelope.treePrefix.count)))
    }

    /// The address of a file name of `pages/`; `nil` for any other name.
    public init?(fileName: String) {
        guard fileName.hasSuffix(Self.fileSuffix) else { return nil }
        self.init(hex: String(fileName.dropLast(Self.fileSuffix.count)))
    }

    private init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        self.hex = hex
    }

    /// `sha256-tree:` and the hex digits, as files name a page.
    public var checksum: String { Envelope.treePrefix + hex }
    /// The page's file in `pages/`.
    public var fileName: String { hex + Self.fileSuffix }
    public var description: String { checksum }

    public static func < (lhs: PageAddress, rhs: PageAddress) -> Bool { lhs.hex < rhs.hex }

    static let fileSuffix = ".json.gz"
}

/// A page of rows as the page store keeps it: the rows and their checksum with no run's header, so that the same rows
/// pulled by many runs are one file.
public struct StoredPage: Sendable {
    public static let schema = "d365mm.page/1"

    public let address: PageAddress
    /// The page's document, uncompressed.
    public let bytes: [UInt8]
    /// The SHA-256 of each record as the document holds it (``Envelope/recordDigests(of:)``).
    public let recordDigests: [SHA256Bytes]

    public init(records: [JSONValue]) {
        let document = Envelope.encode(header: JSONObject([("schema", .string(Self.schema))]), records: records)
        // The encoder writes a tree checksum, which is always an address.
        address = PageAddress(checksum: document.checksum)!
        bytes = document.bytes
        recordDigests = document.recordDigests
    }

    /// The records of a page's document, checked against the address it was kept under.
    public static func records(of bytes: [UInt8], address: PageAddress) throws(EnvelopeError) -> [JSONValue] {
        let object = try Envelope.object(of: bytes, expectedSchema: schema)
        let records = try Envelope.validatedRecords(of: object)
        guard object["checksum"]?.stringValue == address.checksum else {
            throw EnvelopeError(
                "the file holds the rows of another page (\(object["checksum"]?.stringValue ?? "no checksum")) under this page's name")
        }
        return records
    }
}
