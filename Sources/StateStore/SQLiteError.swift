/// A failure reported by SQLite, in SQLite's own words.
///
/// The description names the statement but never the values bound to it, so that
/// nothing stored in the state database can leak into a log line through an error.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code (`sqlite3_extended_errcode`).
    public let code: Int32
    /// The message of `sqlite3_errmsg` at the time of the failure.
    public let message: String
    /// The SQL text that failed, if a statement was involved.
    public let sql: String?
    /// The database file, so that the operator knows which one.
    public let path: String

    public var description: String {
        var text = "SQLite error \(code) in \(path): \(message)"
        if let sql { text += " (while executing `\(sql)`)" }
        return text
    }

    /// The database file or its disk is full (`SQLITE_FULL`).
    public var isDiskFull: Bool { code & 0xFF == 13 }
    /// Another connection holds a lock longer than the busy timeout (`SQLITE_BUSY`).
    public var isBusy: Bool { code & 0xFF == 5 }
    /// A `UNIQUE`, `PRIMARY KEY` or other constraint failed (`SQLITE_CONSTRAINT`).
    public var isConstraintViolation: Bool { code & 0xFF == 19 }
}
