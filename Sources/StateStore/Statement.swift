internal import CSQLite

/// A compiled SQL statement; finalized when the last reference goes.
///
/// It refers to its connection's database handle but does not keep the ``Connection`` alive, as the connection keeps
/// the statements it runs most; a statement that outlives its connection keeps SQLite's handle open (`sqlite3_close_v2`)
/// until it is finalized.
public final class Statement {
    private let handle: OpaquePointer
    private let path: String
    /// The statement's SQL text (never its bound values).
    public let sql: String

    init(handle: OpaquePointer, path: String, sql: String) {
        self.handle = handle
        self.path = path
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// What SQLite last reported on this statement's database.
    private func failure() -> SQLiteError {
        SQLiteError(database: sqlite3_db_handle(handle), sql: sql, path: path)
    }

    /// Resets the statement and binds `values` to its parameters, in order.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        precondition(Int(sqlite3_bind_parameter_count(handle)) == values.count, "wrong number of arguments for `\(sql)`")
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(handle, index)
            case .integer(let integer): status = sqlite3_bind_int64(handle, index, integer)
            case .real(let real): status = sqlite3_bind_double(handle, index, real)
            case .text(let text): status = sqlite3_bind_text(handle, index, text, -1, csqlite_transient())
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
                }
            }
            guard status == SQLITE_OK else { throw failure() }
        }
    }

    /// Ends the statement's current run, releasing what it holds (a read lock, while it has rows left), and keeps its bindings.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Advances to the next row; `false` when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure()
        }
    }

    /// The current row's columns.
    public func row() -> [SQLiteValue] {
        (0..<sqlite3_column_count(handle)).map(column)
    }

    /// `body` with the bytes of column `index` in the current row (a blob, or text without its terminator) where SQLite
    /// keeps them, without copying them out: they are valid until the next step or reset.
    public func withColumnBytes<Result>(_ index: Int32, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(UnsafeRawBufferPointer(start: sqlite3_column_blob(handle, index), count: Int(sqlite3_column_bytes(handle, index))))
    }

    /// The value of column `index` (from 0) in the current row.
    public func column(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }
}
