import Foundation

/// How far an incremental read got, by name (e.g. the labor import's last `PostedDateTime`).
extension StateDatabase {
    public func watermark(_ name: String) throws -> String? {
        try connection.query("SELECT value FROM watermarks WHERE name = ?", [.text(name)]).first?.first?.text
    }

    public func setWatermark(_ name: String, to value: String, at date: Date) throws {
        try connection.run(
            """
            INSERT INTO watermarks (name, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, [.text(name), .text(value), .real(date.timeIntervalSince1970)])
    }
}
