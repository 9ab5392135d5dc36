import Spool

extension Spool {
    /// Moves `name` to `failed/` with the report of why and what to do, counts it, and marks the run as one that
    /// needs an operator: the three always go together.
    func fail(_ name: String, in folder: SpoolFolder, because failure: FailureReport, counting report: inout RunReport) throws {
        try fail(name, in: folder, report: failure)
        report.add(.filesFailed)
        report.needsOperator()
    }
}
