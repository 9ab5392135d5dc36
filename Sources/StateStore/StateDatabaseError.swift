/// Why the state database cannot be used, in words an operator can act on; `spool/state.sqlite` is the connector's
/// memory, and each of these stops a run before it does anything.
public struct StateDatabaseError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Not a database, or a damaged one: move it aside (d365mm-spool(7), RECOVERY).
        case damaged
        /// This user may not read or write it, or the file system is read-only (exit 77).
        case denied
        /// Written by another version of d365mm than this one reads.
        case otherVersion(found: Int, known: Int)
    }

    public let kind: Kind
    public let path: String
    /// SQLite's or the system's own words.
    public let detail: String

    public var description: String {
        switch kind {
        case .damaged:
            return "the state database \(path) is damaged (\(detail)). The spool and its files are fine. To recover: stop the timers, "
                + "move the database aside (mv \(path) \(path).damaged, with its -wal and -shm files) and run again: from-erp sends every "
                + "record once more (MachineMetrics upserts them, nothing is doubled) and to-erp finds in D365 every journal it wrote "
                + "within D365_RECONCILIATION_WINDOW, so none is written twice. See RECOVERY in d365mm-spool(7)."
        case .denied:
            return "the state database \(path) cannot be written (\(detail)): it and the spool must belong to the user d365mm runs as "
                + "(sudo chown -R d365mm: \(Self.folder(of: path)), as scripts/install does), on a file system mounted read-write."
        case .otherVersion(let found, let known) where found > known:
            return "the state database \(path) was written by a newer d365mm (schema v\(found); this one knows up to v\(known)): install "
                + "that version again, or move the database aside as RECOVERY in d365mm-spool(7) says."
        case .otherVersion(let found, let known):
            return "the state database \(path) is at schema v\(found) and this d365mm reads v\(known); the next run upgrades it."
        }
    }

    static func folder(of path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }
}

extension StateDatabaseError {
    /// What a failure in the middle of a run says of the database file, when it is about the file (it was damaged or
    /// made read-only meanwhile) rather than a statement.
    public init?(_ error: SQLiteError) {
        guard let kind = error.databaseProblem else { return nil }
        self.init(kind: kind, path: error.path, detail: error.message)
    }
}

extension SQLiteError {
    /// What the failure says of the database file, when it is about the file rather than a statement.
    var databaseProblem: StateDatabaseError.Kind? {
        switch code & 0xFF {
        case 11, 26: return .damaged  // SQLITE_CORRUPT, SQLITE_NOTADB
        case 3, 8, 14, 23: return .denied  // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_AUTH
        default: return nil
        }
    }
}
