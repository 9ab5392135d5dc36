import Foundation

/// The connector's state, `spool/state.sqlite`: runs, the content hash of every record MachineMetrics accepted,
/// the keys each run saw, and the records MachineMetrics rejected.
///
/// Confined to the task that opened it, like its ``Connection``.
public final class StateDatabase {
    let connection: Connection

    /// Opens (creating when missing, readable by its owner alone) and migrates the database at `path`. Throws
    /// ``StateDatabaseError`` when the file is damaged, may not be written or comes from a newer version.
    public init(path: String) throws {
        do {
            try Self.restrictToOwner(path)
            connection = try Connection(path: path)
            guard !connection.isReadOnly else {
                throw StateDatabaseError(kind: .denied, path: path, detail: "it opened read-only")
            }
            try StateSchema.migrate(connection)
        } catch let error as SQLiteError {
            guard let kind = error.databaseProblem else { throw error }
            throw StateDatabaseError(kind: kind, path: path, detail: error.message)
        }
    }

    /// Opens the database at `path` to read it alone, for `status` and `bundle`: it writes nothing (a spool they may not
    /// write is fine), and throws ``StateDatabaseError`` when the database is damaged or of another schema.
    public init(readingAt path: String) throws {
        do {
            // A database in WAL mode whose folder this user may not write can only be read as immutable (SQLite cannot
            // make its shared-memory file), which is sound as long as no run writes it meanwhile: none can, there.
            let reader = { (immutable: Bool) throws -> (Connection, Int) in
                let connection = try Connection(path: path, readOnly: true, immutable: immutable)
                return (connection, try StateSchema.version(of: connection))
            }
            let (connection, version) = try (try? reader(false)) ?? reader(true)
            self.connection = connection
            guard version == StateSchema.migrations.count else {
                throw StateDatabaseError(kind: .otherVersion(found: version, known: StateSchema.migrations.count), path: path, detail: "")
            }
        } catch let error as SQLiteError {
            throw StateDatabaseError(kind: error.databaseProblem ?? .damaged, path: path, detail: error.message)
        }
    }

    /// Creates the file owner-only before SQLite does (it would make it readable by everyone), and takes back what an
    /// older version left readable; the -wal and -shm files SQLite makes follow the database file's mode.
    private static func restrictToOwner(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        guard errno == EEXIST else { throw StateDatabaseError(kind: .denied, path: path, detail: String(cString: strerror(errno))) }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & 0o077 != 0 {
            for file in [path, path + "-wal", path + "-shm"] { chmod(file, 0o600) }
        }
    }

    /// Runs `body`'s reads and writes as one transaction, for a loop that records something per ticket or journal:
    /// one lock and one flush to disk (`synchronous=FULL`) instead of one per statement. Nothing `body` wrote is kept
    /// when it throws, or when the process dies before it returns.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction(body)
    }

    /// Runs `body`'s reads as one snapshot, taking the read lock once instead of once per statement.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try connection.readTransaction(body)
    }

    // MARK: Runs

    /// One run as recorded.
    public struct Run: Sendable, Equatable {
        public let id: String
        public let direction: String
        public let startedAt: Date
        public let endedAt: Date?
        public let outcome: String?
        public let exitCode: Int?
        /// The run's summary, as JSON text.
        public let summary: String?
    }

    public func beginRun(id: String, direction: String, at date: Date) throws {
        try connection.run(
            "INSERT INTO runs (id, direction, started_at) VALUES (?, ?, ?)", [.text(id), .text(direction), .real(date.timeIntervalSince1970)])
    }

    /// Marks every run that never recorded its end as `killed`; only a run holding the spool lock may, as then no other
    /// run is going on. Returns how many there were.
    public func markUnfinishedRunsKilled() throws -> Int {
        try connection.run("UPDATE runs SET outcome = 'killed' WHERE ended_at IS NULL AND outcome IS NULL")
        return connection.changes
    }

    public func finishRun(id: String, outcome: String, exitCode: Int, summary: String, at date: Date) throws {
        try connection.run(
            "UPDATE runs SET ended_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?",
            [.real(date.timeIntervalSince1970), .text(outcome), .integer(Int64(exitCode)), .text(summary), .text(id)])
    }

    /// The latest runs (of `direction`, or the one with `id`, when given), newest first.
    public func recentRuns(limit: Int = 10, direction: String? = nil, id: String? = nil) throws -> [Run] {
        try runs(
            where: "(?1 IS NULL OR direction = ?1) AND (?3 IS NULL OR id = ?3) ORDER BY started_at DESC LIMIT ?2",
            [SQLiteValue(direction), .integer(Int64(limit)), SQLiteValue(id)])
    }

    /// The newest run of `direction` that recorded its end, and the newest that ended with exit status 0.
    public func lastRuns(direction: String) throws -> (finished: Run?, succeeded: Run?) {
        let newest = "direction = ?1 AND ended_at IS NOT NULL"
        return (
            try runs(where: "\(newest) ORDER BY ended_at DESC LIMIT 1", [.text(direction)]).first,
            try runs(where: "\(newest) AND exit_code = 0 ORDER BY ended_at DESC LIMIT 1", [.text(direction)]).first
        )
    }

    private func runs(where condition: String, _ parameters: [SQLiteValue]) throws -> [Run] {
        let rows = try connection.query(
            "SELECT id, direction, started_at, ended_at, outcome, exit_code, summary FROM runs WHERE \(condition)", parameters)
        return rows.map { row in
            func date(_ value: SQLiteValue) -> Date? {
                if case .real(let seconds) = value { return Date(timeIntervalSince1970: seconds) }
                if case .integer(let seconds) = value { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
                return nil
            }
            return Run(
                id: row[0].text ?? "", direction: row[1].text ?? "", startedAt: date(row[2]) ?? Date(timeIntervalSince1970: 0),
                endedAt: date(row[3]), outcome: row[4].text, exitCode: row[5].integer.map(Int.init), summary: row[6].text)
        }
    }

    // MARK: Record hashes

    /// The content hash MachineMetrics last accepted for `key` in `collection`.
    public func acceptedHash(collection: String, key: String) throws -> String? {
        try connection.query("SELECT hash FROM record_hashes WHERE collection = ? AND key = ?", [.text(collection), .text(key)]).first?.first?.text
    }

    /// The content hashes MachineMetrics last accepted for each of `records`, in order; one read lock for all.
    public func acceptedHashes(_ records: [(collection: String, key: String)]) throws -> [String?] {
        guard !records.isEmpty else { return [] }
        return try connection.readTransaction { try records.map { try acceptedHash(collection: $0.collection, key: $0.key) } }
    }

    /// A record MachineMetrics accepted.
    public struct AcceptedRecord: Sendable {
        public let key: String
        public let hash: String
        /// Whether the record belongs to the synchronised set (a work order in an open status, an employed worker).
        public let inScope: Bool

        public init(key: String, hash: String, inScope: Bool) {
            self.key = key
            self.hash = hash
            self.inScope = inScope
        }
    }

    /// Remembers what MachineMetrics accepted and forgets earlier rejections of the same records, in one transaction.
    public func recordAccepted(collection: String, _ records: [AcceptedRecord], runID: String, at date: Date) throws {
        try connection.transaction {
            let upsert = try connection.prepare(
                """
                INSERT INTO record_hashes (collection, key, hash, in_scope, accepted_at, run_id) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (collection, key) DO UPDATE SET hash = excluded.hash, in_scope = excluded.in_scope,
                    accepted_at = excluded.accepted_at, run_id = excluded.run_id
                """)
            let forget = try connection.prepare("DELETE FROM rejections WHERE collection = ? AND key = ?")
            // The row a record was made from is current only while MachineMetrics holds that very record.
            let source = try connection.prepare("UPDATE source_digests SET accepted = (hash = ?3) WHERE collection = ?1 AND key = ?2")
            for record in records {
                try upsert.bind([
                    .text(collection), .text(record.key), .text(record.hash), .integer(record.inScope ? 1 : 0),
                    .real(date.timeIntervalSince1970), .text(runID),
                ])
                while try upsert.step() {}
                try forget.bind([.text(collection), .text(record.key)])
                while try forget.step() {}
                try source.bind([.text(collection), .text(record.key), .text(record.hash)])
                while try source.step() {}
            }
        }
    }

    // MARK: Rejections

    /// A record MachineMetrics rejected inside an accepted batch.
    public struct Rejection: Sendable, Equatable {
        public let collection: String
        public let key: String
        public let code: String
        public let message: String
        public let batchID: String
        public let runID: String

        public init(collection: String, key: String, code: String, message: String, batchID: String, runID: String) {
            self.collection = collection
            self.key = key
            self.code = code
            self.message = message
            self.batchID = batchID
            self.runID = runID
        }
    }

    public func recordRejections(_ rejections: [Rejection], at date: Date) throws {
        try connection.transaction {
            let insert = try connection.prepare(
                """
                INSERT INTO rejections (collection, key, code, message, batch_id, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (collection, key) DO UPDATE SET code = excluded.code, message = excluded.message,
                    batch_id = excluded.batch_id, run_id = excluded.run_id, at = excluded.at
                """)
            for rejection in rejections {
                try insert.bind([
                    .text(rejection.collection), .text(rejection.key), .text(rejection.code), .text(rejection.message),
                    .text(rejection.batchID), .text(rejection.runID), .real(date.timeIntervalSince1970),
                ])
                while try insert.step() {}
            }
        }
    }

    /// Records MachineMetrics still rejects (the latest rejection of each), oldest first.
    public func rejections() throws -> [Rejection] {
        try connection.query("SELECT collection, key, code, message, batch_id, run_id FROM rejections ORDER BY at, collection, key").map {
            Rejection(
                collection: $0[0].text ?? "", key: $0[1].text ?? "", code: $0[2].text ?? "", message: $0[3].text ?? "",
                batchID: $0[4].text ?? "", runID: $0[5].text ?? "")
        }
    }

    // MARK: Departures

    /// Keys of `collection` that were in the synchronised set when MachineMetrics last accepted them, and that a
    /// complete pull did not see (`seen`): they have left the set. A read alone: what a pull saw never outlives its run,
    /// so it is not written down, and a run where nothing changed writes nothing here.
    public func departedKeys(collection: String, seen: Set<String>) throws -> [String] {
        try connection.query("SELECT key FROM record_hashes WHERE collection = ? AND in_scope = 1 ORDER BY key", [.text(collection)])
            .compactMap { $0[0].text }.filter { !seen.contains($0) }
    }
}
