import Hashing

/// The row each record was last made from, by digest (`source_digests`).
extension StateDatabase {
    /// What a D365 row made: the record's collection and key, the row's digest and the record's content hash.
    public struct RecordSource: Sendable, Equatable {
        public let collection: String
        public let key: String
        public let digest: SHA256Bytes
        public let hash: String

        public init(collection: String, key: String, digest: SHA256Bytes, hash: String) {
            self.collection = collection
            self.key = key
            self.digest = digest
            self.hash = hash
        }
    }

    /// Keeps the row digests remembered for `collection` only if they were made under `context` (what records depend on
    /// besides their rows); otherwise forgets them all, so that every row is mapped again, and remembers `context`.
    public func useSourceDigests(collection: String, madeUnder context: String) throws {
        let stored = try connection.query("SELECT context FROM source_digest_contexts WHERE collection = ?", [.text(collection)]).first?.first?.text
        guard stored != context else { return }
        try connection.transaction {
            try connection.run("DELETE FROM source_digests WHERE collection = ?", [.text(collection)])
            try connection.run("INSERT OR REPLACE INTO source_digest_contexts (collection, context) VALUES (?, ?)", [.text(collection), .text(context)])
        }
    }

    /// For each of `rows` of `collection`, in order: whether its record was last made from a row with that digest, and
    /// MachineMetrics has accepted that record as it is. A page's keys lie close together in key order, so they are met
    /// in one walk through the stored keys between its first and its last, as SQLite orders them; keys the walk does
    /// not reach are looked up a few hundred to a query. Each key is answered by one statement, so no transaction is needed.
    public func madeAcceptedRecords(collection: String, _ rows: [(key: String, digest: SHA256Bytes)]) throws -> [Bool] {
        guard !rows.isEmpty else { return [] }
        var answers = [Bool](repeating: false, count: rows.count)
        // Pages often come in key order already.
        let inKeyOrder = zip(rows, rows.dropFirst()).allSatisfy { !BinaryCollation.precedes($1.key, $0.key) }
        let byKey = inKeyOrder ? Array(rows.indices) : rows.indices.sorted { BinaryCollation.precedes(rows[$0].key, rows[$1].key) }
        let unreached = try walkAcceptedDigests(collection: collection, byKey: byKey, rows: rows, answers: &answers)
        for start in stride(from: unreached.startIndex, to: unreached.endIndex, by: Self.keysPerLookup) {
            let chunk = unreached[start..<min(start + Self.keysPerLookup, unreached.endIndex)]
            let digests = try acceptedDigests(collection: collection, keys: chunk.map { rows[$0].key })
            for index in chunk { answers[index] = digests[rows[index].key] == rows[index].digest }
        }
        return answers
    }

    /// Steps through the accepted rows of `collection` from the first key of `byKey` to its last, alongside `byKey`,
    /// answering for each key met. Gives up once it has stepped over many more rows than `byKey` holds (keys of
    /// long-closed orders may lie between a page's keys) and returns the positions of `byKey` not reached.
    private func walkAcceptedDigests(
        collection: String, byKey: [Int], rows: [(key: String, digest: SHA256Bytes)], answers: inout [Bool]
    ) throws -> ArraySlice<Int> {
        guard let first = byKey.first, let last = byKey.last else { return [] }
        let walk = try sourceDigestWalk()
        try walk.bind([.text(collection), .text(rows[first].key), .text(rows[last].key)])
        // Reset when done, so that the statement holds no read lock between pages.
        defer { walk.reset() }
        var next = byKey.startIndex
        var steps = 2 * byKey.count + 64
        while next < byKey.endIndex {
            guard steps > 0 else { return byKey[next...] }
            guard try walk.step() else { return [] }
            steps -= 1
            while next < byKey.endIndex, walk.compareText(column: 0, with: rows[byKey[next]].key) > 0 { next += 1 }
            while next < byKey.endIndex, walk.compareText(column: 0, with: rows[byKey[next]].key) == 0 {
                answers[byKey[next]] = rows[byKey[next]].digest.withUnsafeBytes { walk.columnEquals(column: 1, $0) }
                next += 1
            }
        }
        return []
    }

    /// Accepted rows of `source_digests` in one collection, between two keys, in key order: compiled once, used for every page.
    private func sourceDigestWalk() throws(SQLiteError) -> Statement {
        if let sourceDigestWalkStatement { return sourceDigestWalkStatement }
        let walk = try connection.prepare(
            "SELECT key, digest FROM source_digests WHERE collection = ?1 AND key >= ?2 AND key <= ?3 AND accepted ORDER BY key")
        sourceDigestWalkStatement = walk
        return walk
    }

    /// The row digest of each of `keys` whose record MachineMetrics holds as that row made it.
    private func acceptedDigests(collection: String, keys: [String]) throws -> [String: SHA256Bytes] {
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ",")
        let lookup = try connection.prepare("SELECT key, digest FROM source_digests WHERE collection = ? AND accepted AND key IN (\(placeholders))")
        try lookup.bind([.text(collection)] + keys.map { .text($0) })
        var digests: [String: SHA256Bytes] = [:]
        while try lookup.step() {
            if let key = lookup.column(0).text, case .blob(let bytes) = lookup.column(1), let digest = bytes.withUnsafeBytes(SHA256Bytes.init) {
                digests[key] = digest
            }
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
                try upsert.bind([.text(source.collection), .text(source.key), .blob(source.digest.bytes), .text(source.hash)])
                while try upsert.step() {}
            }
        }
    }
}
