/// The state database's schema, as numbered migrations applied in order and recorded in `PRAGMA user_version`.
enum StateSchema {
    static let migrations: [String] = [
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY, direction TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL,
            outcome TEXT, exit_code INTEGER, summary TEXT
        );
        CREATE INDEX runs_by_start ON runs (started_at);
        CREATE TABLE record_hashes (
            collection TEXT NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL, in_scope INTEGER NOT NULL,
            accepted_at REAL NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (collection, key)
        ) WITHOUT ROWID;
        CREATE TABLE seen_keys (
            run_id TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (run_id, collection, key)
        ) WITHOUT ROWID;
        CREATE TABLE rejections (
            collection TEXT NOT NULL, key TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,
            batch_id TEXT NOT NULL, run_id TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (collection, key)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE ticket_writes (
            marker_id TEXT NOT NULL, revision INTEGER NOT NULL, ticket_id TEXT, entity_set TEXT NOT NULL, journal_number TEXT NOT NULL,
            line_number TEXT NOT NULL, source TEXT NOT NULL, written_at REAL NOT NULL,
            order_number TEXT, operation INTEGER, priority TEXT, hours TEXT, good TEXT, bad TEXT,
            acknowledged INTEGER NOT NULL DEFAULT 0, posted INTEGER NOT NULL DEFAULT 0, posting_error TEXT,
            PRIMARY KEY (marker_id, revision)
        ) WITHOUT ROWID;
        CREATE TABLE ticket_failures (
            marker_id TEXT NOT NULL, revision INTEGER NOT NULL, ticket_id TEXT NOT NULL, message TEXT NOT NULL,
            acknowledged INTEGER NOT NULL DEFAULT 0, at REAL NOT NULL, PRIMARY KEY (marker_id, revision)
        ) WITHOUT ROWID;
        """,
        // v3: a revision that moves labor has two parts (its line and the reversal of the old one), and each line keeps
        // what a reversal must copy; watermarks for the labor import.
        """
        CREATE TABLE ticket_writes_v3 (
            marker_id TEXT NOT NULL, revision INTEGER NOT NULL, part TEXT NOT NULL, ticket_id TEXT, entity_set TEXT NOT NULL,
            journal_number TEXT NOT NULL, line_number TEXT NOT NULL, source TEXT NOT NULL, written_at REAL NOT NULL,
            order_number TEXT, operation INTEGER, priority TEXT, resource TEXT, consumption_date TEXT, error_cause TEXT, job_id TEXT,
            personnel TEXT, hours TEXT, good TEXT, bad TEXT,
            acknowledged INTEGER NOT NULL DEFAULT 0, posted INTEGER NOT NULL DEFAULT 0, posting_error TEXT,
            PRIMARY KEY (marker_id, revision, part)
        ) WITHOUT ROWID;
        INSERT INTO ticket_writes_v3 (marker_id, revision, part, ticket_id, entity_set, journal_number, line_number, source, written_at,
            order_number, operation, priority, hours, good, bad, acknowledged, posted, posting_error)
        SELECT marker_id, revision, 'line', ticket_id, entity_set, journal_number, line_number, source, written_at,
            order_number, operation, priority, hours, good, bad, acknowledged, posted, posting_error FROM ticket_writes;
        DROP TABLE ticket_writes;
        ALTER TABLE ticket_writes_v3 RENAME TO ticket_writes;
        CREATE INDEX ticket_writes_by_journal ON ticket_writes (journal_number);
        CREATE TABLE watermarks (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at REAL NOT NULL) WITHOUT ROWID;
        """,
        // v4: SHA-256 digests of the access tokens runs were issued, so that a support bundle can mask a token of any
        // shape that leaked into a file, without the tokens themselves ever being stored.
        """
        CREATE TABLE token_digests (digest TEXT PRIMARY KEY, recorded_at REAL NOT NULL) WITHOUT ROWID;
        """,
        // v5: which D365 row, byte for byte, made which MachineMetrics record, and whether MachineMetrics holds that record
        // as it is: a row met again makes the same record, so a run where nothing changed looks its rows up instead of
        // mapping and hashing each again. One row per record.
        """
        CREATE TABLE source_digests (
            collection TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL, hash TEXT NOT NULL, accepted INTEGER NOT NULL,
            PRIMARY KEY (collection, key)
        ) WITHOUT ROWID;
        """,
        // v6: row digests kept as their 32 bytes, not as 64 hex digits: a run compares every row's digest, and hex cost a
        // string for each. The digests kept as text go: the first run after the upgrade maps every row once more and,
        // with MachineMetrics holding what they make (record_hashes), sends nothing for them.
        """
        DROP TABLE source_digests;
        CREATE TABLE source_digests (
            collection TEXT NOT NULL, key TEXT NOT NULL, digest BLOB NOT NULL, hash TEXT NOT NULL, accepted INTEGER NOT NULL,
            PRIMARY KEY (collection, key)
        ) WITHOUT ROWID;
        """,
        // v7: a row's digest is that of its text alone, which comes with the inbox file's checksum; what else a record
        // depends on (the mapping's revision, the scope, the entity set) is kept once per collection, and a collection's
        // digests are forgotten when it changes. The digests made with those in front go, as in v6.
        """
        DELETE FROM source_digests;
        CREATE TABLE source_digest_contexts (collection TEXT PRIMARY KEY, context TEXT NOT NULL) WITHOUT ROWID;
        """,
        // v8: running totals for the metrics file (records sent, tickets written, HTTP requests), which only grow and
        // outlive restarts, as Prometheus counters should.
        """
        CREATE TABLE metric_totals (
            name TEXT NOT NULL, direction TEXT NOT NULL, label TEXT NOT NULL, value INTEGER NOT NULL,
            PRIMARY KEY (name, direction, label)
        ) WITHOUT ROWID;
        """,
        // v9: the keys a pull saw are kept in memory for their run (seen_keys cost every run a write of each open order
        // and worker, and its deletion).
        "DROP TABLE seen_keys;",
        // v10: which stored pages (pages/) the newest page list names (last_named NULL), and for the others when the
        // newest list that stopped naming them was made; a page goes when nothing that old or newer is kept. Each
        // archive packed, and when it was packed if it holds items that name pages (named_at; NULL when none).
        """
        CREATE TABLE stored_pages (address TEXT PRIMARY KEY, last_named TEXT) WITHOUT ROWID;
        CREATE TABLE archives_packed (archive TEXT PRIMARY KEY, named_at TEXT) WITHOUT ROWID;
        """,
    ]

    static func version(of connection: Connection) throws -> Int {
        Int(try connection.query("PRAGMA user_version").first?.first?.integer ?? 0)
    }

    /// Brings the database to the newest schema; one written by a newer version is refused, not guessed at.
    static func migrate(_ connection: Connection) throws {
        let current = try version(of: connection)
        if current > migrations.count {
            throw StateDatabaseError(kind: .otherVersion(found: current, known: migrations.count), path: connection.path, detail: "")
        }
        guard current < migrations.count else { return }
        try connection.transaction {
            for version in current..<migrations.count {
                try connection.execute(migrations[version])
            }
            try connection.execute("PRAGMA user_version = \(migrations.count)")
        }
    }
}
