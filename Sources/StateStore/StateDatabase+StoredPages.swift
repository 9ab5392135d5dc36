/// Which pages of the page store (`pages/`) are still named, kept so that a run writes in proportion to what changed:
/// a page named by the newest page list is current (no time); one the newest list stopped naming carries the time of
/// that list, or of the newest archive packed since that names it, which no item or archive naming the page can be
/// newer than. Items count from the time in their name, archives from when they were packed (`archives_packed`).
/// Times are the compact UTC times of item names (`20261121T174512Z`), which sort as text; addresses are 64 hex digits.
extension StateDatabase {
    /// Records that a page list made at `time` names exactly `addresses`: those not current become current, and the
    /// current ones it does not name carry `time`. Writes only what changed.
    public func notePagesNamed(_ addresses: Set<String>, at time: String) throws {
        try connection.transaction {
            let current = Set(try connection.query("SELECT address FROM stored_pages WHERE last_named IS NULL").compactMap { $0[0].text })
            try connection.runEach(
                "INSERT INTO stored_pages (address, last_named) VALUES (?, NULL) ON CONFLICT (address) DO UPDATE SET last_named = NULL",
                addresses.subtracting(current).sorted().map { [.text($0)] })
            try connection.runEach(
                "UPDATE stored_pages SET last_named = ? WHERE address = ?", current.subtracting(addresses).sorted().map { [.text(time), .text($0)] })
        }
    }

    /// The pages last named before `time`: nothing kept from `time` on names them.
    public func pagesLastNamed(before time: String) throws -> [String] {
        try connection.query("SELECT address FROM stored_pages WHERE last_named < ? ORDER BY address", [.text(time)]).compactMap { $0[0].text }
    }

    /// Every page the database knows of, named or not.
    public func storedPageAddresses() throws -> Set<String> {
        Set(try connection.query("SELECT address FROM stored_pages").compactMap { $0[0].text })
    }

    /// Takes on pages the store holds but the database does not know (a database made anew, or a run killed before it
    /// named what it kept) as last named at `time`: whatever names them is no newer, so they go only once everything
    /// kept at `time` has gone.
    public func adoptPages(_ addresses: [String], lastNamedAt time: String) throws {
        try connection.runEach("INSERT OR IGNORE INTO stored_pages (address, last_named) VALUES (?, ?)", addresses.map { [.text($0), .text(time)] })
    }

    /// Records that `archive` was packed at `time`, holding items that name `addresses` (none for an archive of other
    /// files). The pages it names that a newer list stopped naming carry `time` from now on, so that what an archive
    /// names counts from when it was packed, whatever the age of its items: an old item packed late holds back nothing
    /// else.
    public func noteArchivePacked(_ archive: String, naming addresses: Set<String>, at time: String) throws {
        try connection.transaction {
            try connection.run(
                "INSERT OR REPLACE INTO archives_packed (archive, named_at) VALUES (?, ?)", [.text(archive), addresses.isEmpty ? .null : .text(time)])
            try connection.runEach(
                "UPDATE stored_pages SET last_named = ? WHERE address = ? AND last_named < ?",
                addresses.sorted().map { [.text(time), .text($0), .text(time)] })
        }
    }

    /// The archives packed, each with when it was packed if it names pages (`nil` when it names none).
    public func packedArchives() throws -> [String: String?] {
        var archives: [String: String?] = [:]
        for row in try connection.query("SELECT archive, named_at FROM archives_packed") {
            if let archive = row[0].text { archives[archive] = row[1].text }
        }
        return archives
    }

    /// Forgets archives that are gone.
    public func forgetArchives(_ archives: [String]) throws {
        try connection.runEach("DELETE FROM archives_packed WHERE archive = ?", archives.map { [.text($0)] })
    }

    /// Forgets pages removed from the store.
    public func forgetPages(_ addresses: [String]) throws {
        try connection.runEach("DELETE FROM stored_pages WHERE address = ?", addresses.map { [.text($0)] })
    }
}
