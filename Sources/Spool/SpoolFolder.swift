/// The spool's state folders (`contracts/cli-and-config.md` § Spool).
public enum SpoolFolder: String, CaseIterable, Sendable {
    case tmp, inbox, outbound, posted, failed, hold, archive
    /// Every distinct page pulled, once, named by its address (``PageStore``).
    case pages
    /// Each run's log (`RUN.log`), until it is archived with the run's files.
    case log
}

/// The two directions a run can go.
public enum Direction: String, Sendable, CaseIterable {
    case fromERP = "from-erp"
    case toERP = "to-erp"
}
