import Hashing
import JSON
import Vocabulary

/// A MachineMetrics record made from a D365 row, with what change detection needs.
public struct MappedRecord: Sendable, Equatable {
    public let collection: RecordCollection
    public let key: String
    public let record: JSONValue
    /// Whether it belongs to the synchronised set (an open work order, an employed worker); records that were in it
    /// and disappear from a complete pull are sent once more with their new status.
    public let inScope: Bool
    /// The content hash: SHA-256 of the record's canonical JSON. Equal meaning, equal hash.
    /// Computed once, where the record is made, so that the tasks mapping pages in parallel share the work.
    public let hash: String

    init(collection: RecordCollection, key: String, record: JSONValue, inScope: Bool) {
        self.collection = collection
        self.key = key
        self.record = record
        self.inScope = inScope
        hash = Self.hash(of: record)
    }

    public static func hash(of record: JSONValue) -> String {
        hash(ofCanonical: JSONEncoding.bytes(record, style: .canonical))
    }

    /// The content hash of a record already written as canonical JSON.
    public static func hash(ofCanonical bytes: some Collection<UInt8>) -> String {
        SHA256Hex.digest(bytes)
    }
}

/// A D365 row that cannot become a MachineMetrics record.
public struct MappingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
