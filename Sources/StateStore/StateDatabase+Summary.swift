/// What the state database knows, in counts, for a support bundle: never a secret, as it holds none.
public struct StateSummary: Sendable {
    public let schemaVersion: Int
    /// Each table, by name, and how many rows it has.
    public let rowsPerTable: [(table: String, rows: Int)]
    /// Per MachineMetrics collection: the records it accepted, and how many of them are in the synchronised set.
    public let acceptedRecords: [(collection: String, accepted: Int, inScope: Int)]
    public let watermarks: [(name: String, value: String)]
}

extension StateDatabase {
    /// Counts of every table (whatever the schema has grown to), accepted records per collection, the watermarks.
    public func summary() throws(SQLiteError) -> StateSummary {
        let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0.first?.text }
        var rows: [(table: String, rows: Int)] = []
        for table in tables {
            rows.append((table, Int(try connection.query("SELECT count(*) FROM \"\(table)\"").first?.first?.integer ?? 0)))
        }
        let accepted = try connection.query("SELECT collection, count(*), sum(in_scope) FROM record_hashes GROUP BY collection ORDER BY collection")
            .map { (collection: $0[0].text ?? "?", accepted: Int($0[1].integer ?? 0), inScope: Int($0[2].integer ?? 0)) }
        let watermarks = try connection.query("SELECT name, value FROM watermarks ORDER BY name").map {
            (name: $0[0].text ?? "", value: $0[1].text ?? "")
        }
        let version = Int(try connection.query("PRAGMA user_version").first?.first?.integer ?? 0)
        return StateSummary(schemaVersion: version, rowsPerTable: rows, acceptedRecords: accepted, watermarks: watermarks)
    }
}
