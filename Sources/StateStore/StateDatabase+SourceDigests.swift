/// The row each record was last made from, by digest (`source_digests`).
extension StateDatabase {
    /// What a D365 row made: the record's collection and key, the row's digest and the record's content hash.
    public struct RecordSource: Sendable, Equatable {
        public let collection: String
        public let key: String
        public let digest: String
        public let hash: String

        public init(collection: String, key: String, digest: String, hash: String) {
            self.collection = collection
            self.key = key
            self.digest = digest
            self.hash = hash
        }
    }

    /// For each of `rows`, in order: whether its record was last made from a row with that digest, and MachineMetrics
    /// has accepted that record as it is. One read lock for all, and one query per few hundred rows of a collection.
    public func madeAcceptedRecords(_ rows: [(collection: String, key: String, digest: String)]) throws -> [Bool] {
        guard !rows.isEmpty else { return [] }
        let positions = Dictionary(grouping: rows.indices, by: { rows[$0].collection })
        var answers = [Bool](repeating: false, count: rows.count)
        try connection.readTransaction {
            for (collection, indices) in positions {
                for start in stride(from: 0, to: indices.count, by: Self.keysPerLookup) {
                    let chunk = indices[start..<min(start + Self.keysPerLookup, indices.count)]
                    let digests = try acceptedDigests(collection: collection, keys: chunk.map { rows[$0].key })
                    for index in chunk { answers[index] = digests[rows[index].key] == rows[index].digest }
                }
            }
        }
        return answers
    }

    /// The row digest of each of `keys` whose record MachineMetrics holds as that row made it.
    private func acceptedDigests(collection: String, keys: [String]) throws -> [String: String] {
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ",")
        let lookup = try connection.prepare("SELECT key, digest FROM source_digests WHERE collection = ? AND accepted AND key IN (\(placeholders))")
        try lookup.bind([.text(collection)] + keys.map { .text($0) })
        var digests: [String: String] = [:]
        while try lookup.step() {
            if let key = lookup.column(0).text, let digest = lookup.column(1).text { digests[key] = digest }
        }
        return digests
    }

    /// Keys per query: well under SQLite's limit of bound parameters.
    private static let keysPerLookup = 500

    /// Remembers which row made each record, in place of the row that made it before, and whether MachineMetrics
    /// already holds that record as it is (``recordAccepted(collection:_:runID:at:)`` keeps this up to date).
    public func rememberSources(_ sources: [RecordSource]) throws {
        guard !sources.isEmpty else { return }
        try connection.transaction {
            let upsert = try connection.prepare("""
                INSERT INTO source_digests (collection, key, digest, hash, accepted)
                VALUES (?1, ?2, ?3, ?4, EXISTS (SELECT 1 FROM record_hashes WHERE collection = ?1 AND key = ?2 AND hash = ?4))
                ON CONFLICT (collection, key) DO UPDATE SET digest = excluded.digest, hash = excluded.hash, accepted = excluded.accepted
                """)
            for source in sources {
                try upsert.bind([.text(source.collection), .text(source.key), .text(source.digest), .text(source.hash)])
                while try upsert.step() {}
            }
        }
    }
}
