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
            try connection.run(
                "INSERT OR REPLACE INTO source_digest_contexts (collection, context) VALUES (?, ?)", [.text(collection), .text(context)])
        }
    }

    /// For each row of a page of `collection`, given by its digest, in order: whether the record of the row's key was
    /// last made from a row with that digest, and MachineMetrics has accepted that record as it is.
    ///
    /// Equal digests are equal rows, and within one collection equal rows have equal keys, so stored rows are matched to
    /// the page's by digest alone: a page's keys lie close together, and one walk through the stored rows between the
    /// keys of its first and last row, as SQLite orders them, answers most rows without working out their keys.
    /// `keyOfRow` is asked only for those two and for the rows the walk does not match: a row whose key lies in the walked
    /// range is then known to be changed or new; the others are looked up a few hundred to a query. Each lookup is
    /// one statement, so no transaction is needed.
    public func madeAcceptedRecords(collection: String, digests: [SHA256Bytes], keyOfRow: (Int) -> String?) throws -> [Bool] {
        guard !digests.isEmpty else { return [] }
        var answers = [Bool](repeating: false, count: digests.count)
        let ends = [keyOfRow(0), keyOfRow(digests.count - 1)].compactMap { $0 }
        var walked: (lower: String, upper: String)?
        if let lower = ends.min(by: BinaryCollation.precedes), let upper = ends.max(by: BinaryCollation.precedes),
            try matchAcceptedDigests(collection: collection, from: lower, to: upper, digests: digests, answers: &answers)
        {
            walked = (lower, upper)
        }
        var unresolved: [(index: Int, key: String)] = []
        for index in answers.indices where !answers[index] {
            guard let key = keyOfRow(index) else { continue }
            if let walked, !BinaryCollation.precedes(key, walked.lower), !BinaryCollation.precedes(walked.upper, key) { continue }
            unresolved.append((index, key))
        }
        for start in stride(from: 0, to: unresolved.count, by: Self.keysPerLookup) {
            let chunk = unresolved[start..<min(start + Self.keysPerLookup, unresolved.count)]
            let stored = try acceptedDigests(collection: collection, keys: chunk.map(\.key))
            for row in chunk { answers[row.index] = stored[row.key] == digests[row.index] }
        }
        return answers
    }

    /// Steps through the accepted rows of `collection` from key `lower` to `upper`, answering each row of the page whose
    /// digest it meets. Returns whether it walked the whole range: it gives up once it has stepped over many more rows
    /// than the page holds (keys of long-closed orders may lie between a page's keys).
    private func matchAcceptedDigests(
        collection: String, from lower: String, to upper: String, digests: [SHA256Bytes], answers: inout [Bool]
    ) throws -> Bool {
        var firstRowWith = [SHA256Bytes: Int](minimumCapacity: digests.count)
        for (index, digest) in digests.enumerated() where firstRowWith[digest] == nil { firstRowWith[digest] = index }
        let walk = try connection.keptStatement(
            "SELECT digest FROM source_digests WHERE collection = ?1 AND key >= ?2 AND key <= ?3 AND accepted ORDER BY key")
        try walk.bind([.text(collection), .text(lower), .text(upper)])
        // Reset when done, so that the statement holds no read lock between pages.
        defer { walk.reset() }
        var unmatched = firstRowWith.count
        var steps = 2 * digests.count + 64
        var walkedToTheEnd = false
        while unmatched > 0 {
            guard steps > 0 else { break }
            guard try walk.step() else {
                walkedToTheEnd = true
                break
            }
            steps -= 1
            guard let index = walk.withColumnBytes(0, { SHA256Bytes($0).flatMap { firstRowWith[$0] } }), !answers[index] else { continue }
            answers[index] = true
            unmatched -= 1
        }
        // A row repeated in the page is answered as its first occurrence.
        for (index, digest) in digests.enumerated() where !answers[index] {
            if let first = firstRowWith[digest], first != index { answers[index] = answers[first] }
        }
        return walkedToTheEnd || unmatched == 0
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
            let upsert = try connection.prepare(
                """
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
