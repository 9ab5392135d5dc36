internal import CSQLite
import Foundation

/// One open SQLite database file: the only owner of its `sqlite3*` handle.
///
/// A connection is confined to the task that opened it; it is deliberately not `Sendable`.
/// Every connection runs in WAL mode with a busy timeout, so that `status` can read while a run writes.
public final class Connection {
    private let handle: OpaquePointer
    /// The database file's path.
    public let path: String
    /// The statements compiled by ``keptStatement(_:)``, by SQL text: a run repeats the same few for every ticket and
    /// record, and compiling one costs more than running it.
    private var statements: [String: Statement] = [:]
    private static let statementsKept = 64

    /// Opens (and creates when missing) the database at `path` in WAL mode.
    ///
    /// The corresponding C function is `sqlite3_open_v2`.
    /// `immutable` opens a read-only connection that takes no locks and reads no WAL file: for a database no one writes
    /// now, in a folder this user may not write.
    public init(path: String, readOnly: Bool = false, immutable: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000) throws(SQLiteError) {
        var raw: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let status = sqlite3_open_v2(Self.uri(path, immutable: immutable), &raw, flags, nil)
        guard let raw else {
            throw SQLiteError(code: status, message: "cannot allocate a connection", sql: nil, path: path)
        }
        guard status == SQLITE_OK else {
            // SQLite hands back a handle even when opening fails; it must still be closed.
            let error = SQLiteError(code: sqlite3_extended_errcode(raw), message: String(cString: sqlite3_errmsg(raw)), sql: nil, path: path)
            sqlite3_close_v2(raw)
            throw error
        }
        sqlite3_extended_result_codes(raw, 1)
        sqlite3_busy_timeout(raw, busyTimeoutMilliseconds)
        handle = raw
        self.path = path
        if !readOnly {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=FULL")
        }
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// `file:` and the path, percent-encoded where SQLite's URIs need it.
    private static func uri(_ path: String, immutable: Bool) -> String {
        let encoded = path.utf8.map { byte -> String in
            byte == UInt8(ascii: "%") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") || byte < 0x21 || byte >= 0x7F
                ? String(format: "%%%02X", byte) : String(UnicodeScalar(byte))
        }.joined()
        return "file:" + encoded + (immutable ? "?immutable=1" : "")
    }

    /// Whether SQLite opened the database read-only (it does so, silently, when the file may not be written).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(sql: sql) }
    }

    /// Compiles `sql` into a statement that can be bound and stepped.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var raw: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &raw, nil)
        guard status == SQLITE_OK, let raw else { throw error(sql: sql) }
        return Statement(handle: raw, path: path, sql: sql)
    }

    /// The statement for `sql`, compiled the first time and kept for the next; ``query(_:_:)`` and ``run(_:_:)`` use it.
    /// Whoever steps it resets it when done, so that it holds no read snapshot.
    public func keptStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try prepare(sql)
        if statements.count >= Self.statementsKept { statements.removeAll() }
        statements[sql] = statement
        return statement
    }

    /// Runs `sql` with `arguments` and returns every row.
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> [[SQLiteValue]] {
        let statement = try keptStatement(sql)
        // A kept statement stopped early would hold its read snapshot, and this connection would not see later writes.
        defer { statement.reset() }
        try statement.bind(arguments)
        var rows: [[SQLiteValue]] = []
        while try statement.step() {
            rows.append(statement.row())
        }
        return rows
    }

    /// Runs `sql` with `arguments`, for statements that return no rows.
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) {
        let statement = try keptStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {}
    }

    /// Runs `sql` once with each of `rows` of arguments, in one transaction; nothing at all when there are none.
    public func runEach(_ sql: String, _ rows: [[SQLiteValue]]) throws {
        guard !rows.isEmpty else { return }
        try transaction {
            for arguments in rows { try run(sql, arguments) }
        }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws. Inside another transaction it is a
    /// savepoint: what `body` did is undone alone when it throws, and kept only if the outer transaction commits.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction("BEGIN IMMEDIATE", body)
    }

    /// Runs `body`'s reads as one snapshot, taking the database's read lock once instead of once per statement.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction("BEGIN DEFERRED", body)
    }

    private func inTransaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        let nested = sqlite3_get_autocommit(handle) == 0
        try execute(nested ? "SAVEPOINT nested" : begin)
        do {
            let result = try body()
            try execute(nested ? "RELEASE nested" : "COMMIT")
            return result
        } catch {
            try? execute(nested ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK")
            throw error
        }
    }

    /// The number of rows the last `INSERT`, `UPDATE` or `DELETE` changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The version of the system `libsqlite3` in use.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// The row id of the last `INSERT`.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func error(sql: String?) -> SQLiteError {
        SQLiteError(database: handle, sql: sql, path: path)
    }
}

extension SQLiteError {
    /// The failure SQLite last reported on `database`.
    init(database: OpaquePointer, sql: String?, path: String) {
        self.init(code: sqlite3_extended_errcode(database), message: String(cString: sqlite3_errmsg(database)), sql: sql, path: path)
    }
}
