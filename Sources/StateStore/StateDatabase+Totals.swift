/// Running totals across runs (`metric_totals`), for the metrics file: they only grow, and outlive restarts.
extension StateDatabase {
    /// What a total counts, for which direction, and a label that tells its parts apart (the service of an HTTP request
    /// count), empty when there is none.
    public struct TotalKey: Hashable, Sendable {
        public let name: String
        public let direction: String
        public let label: String

        public init(name: String, direction: String, label: String = "") {
            self.name = name
            self.direction = direction
            self.label = label
        }
    }

    /// Adds `amounts` to the totals, in one transaction.
    public func addToTotals(_ amounts: [TotalKey: Int]) throws {
        try connection.runEach(
            """
            INSERT INTO metric_totals (name, direction, label, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (name, direction, label) DO UPDATE SET value = value + excluded.value
            """,
            amounts.filter { $0.value > 0 }.map { key, amount in [.text(key.name), .text(key.direction), .text(key.label), .integer(Int64(amount))] })
    }

    public func totals() throws -> [TotalKey: Int] {
        var totals: [TotalKey: Int] = [:]
        for row in try connection.query("SELECT name, direction, label, value FROM metric_totals") {
            totals[TotalKey(name: row[0].text ?? "", direction: row[1].text ?? "", label: row[2].text ?? "")] = Int(row[3].integer ?? 0)
        }
        return totals
    }
}
