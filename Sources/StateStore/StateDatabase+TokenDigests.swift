import Foundation

/// Digests of issued access tokens (never the tokens), kept for a while so that `bundle` can recognise and mask them.
extension StateDatabase {
    public func recordTokenDigests(_ digests: [String], at date: Date) throws {
        try connection.transaction {
            for digest in digests {
                try connection.run(
                    "INSERT OR REPLACE INTO token_digests (digest, recorded_at) VALUES (?, ?)", [.text(digest), .real(date.timeIntervalSince1970)])
            }
            // A token lives an hour or so; a month of digests covers every log and file a bundle collects.
            try connection.run("DELETE FROM token_digests WHERE recorded_at < ?", [.real(date.timeIntervalSince1970 - 31 * 86_400)])
        }
    }

    public func tokenDigests() throws -> Set<String> {
        Set(try connection.query("SELECT digest FROM token_digests").compactMap { $0[0].text })
    }
}
