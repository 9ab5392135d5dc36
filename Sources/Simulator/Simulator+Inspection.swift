import Foundation

/// What tests, the demo and the benchmarks read from and change in a running simulator.
extension Simulator {
    /// One ERP record as MachineMetrics last received it.
    public struct ReceivedRecord: Sendable {
        /// The record's JSON, keys sorted.
        public let json: Data
        /// How many accepted upserts delivered it (idempotent replays do not count).
        public let timesReceived: Int

        /// The record parsed.
        public var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: json)) as? [String: Any]) ?? [:] }
    }

    // MARK: D365

    /// A snapshot of the entity set `setName`.
    public func table(_ setName: String) -> Table {
        core.store.withLock { $0.tables[setName]! }
    }

    /// Changes fields of the row with `key` in `setName`, as if someone edited it in D365.
    /// Values are JSON-like: strings, numbers, enum member names, ISO dates.
    public func update(_ setName: String, key: [String: Any], set changes: [String: Any]) throws(SimulatorError) {
        try core.update(setName, key: key, set: changes)
    }

    /// Posts every unposted production journal, as D365's batch posting job would; returns the lines posted.
    @discardableResult
    public func runBatchPosting() -> Int { core.runBatchPosting() }

    /// Sets the Data Services privileges the service account lacks.
    public func setMissingPrivileges(_ privileges: Set<String>) {
        core.store.withLock { $0.missingPrivileges = privileges }
    }

    /// Sets the OData page size.
    public func setPageSize(_ size: Int) {
        core.store.withLock { $0.pageSize = max(1, size) }
    }

    // MARK: MachineMetrics

    /// What MachineMetrics holds in `collection`, by record key.
    public func receivedRecords(_ collection: String) -> [String: ReceivedRecord] {
        core.store.withLock { store in
            (store.machineMetrics.records[collection] ?? [:]).mapValues { ReceivedRecord(json: Data($0.json), timesReceived: $0.timesReceived) }
        }
    }

    /// Every labor ticket, with what has been acknowledged of it.
    public func laborTickets() -> [LaborTicket] {
        core.store.withLock { $0.machineMetrics.tickets }
    }

    /// Edits a labor ticket after it was closed: its revision goes up and it is pending again.
    public func reviseLaborTicket(id: String, _ change: (inout LaborTicket) -> Void) throws(SimulatorError) {
        try core.store.withLock { (store) throws(SimulatorError) in
            guard let index = store.machineMetrics.ticketIndex(id) else { throw SimulatorError("no labor ticket \(id)") }
            change(&store.machineMetrics.tickets[index])
            store.machineMetrics.tickets[index].revision += 1
        }
    }

    /// Makes MachineMetrics reject records with these keys inside its 200 answers, with the given messages.
    public func rejectRecords(_ keys: [String: String]) {
        core.store.withLock { $0.machineMetrics.rejectKeys = keys }
    }

    /// Every acknowledgement item received, in order: id, revision, status, ERP reference or message.
    public func acknowledgements() -> [(id: String, revision: Int, status: String, detail: String?)] {
        core.store.withLock { store in store.machineMetrics.acknowledgements.map { ($0.id, $0.revision, $0.status, $0.erpReference ?? $0.message) } }
    }

    // MARK: Faults and requests

    /// Adds fault rules; they act on requests from now on.
    public func addFaults(_ rules: [FaultRule]) {
        core.store.withLock { $0.faults.add(rules) }
    }

    /// Removes every fault rule.
    public func clearFaults() {
        core.store.withLock { $0.faults.clear() }
    }

    /// How many times each fault rule has fired, in the order they were added.
    public func faultsFired() -> [Int] {
        core.store.withLock { $0.faults.firedCounts }
    }

    /// Expires every access token `service` has issued, as if time had passed.
    public func expireTokens(of service: FaultRule.Service) { core.expireTokens(of: service) }

    /// Every access token Entra ID and MachineMetrics have issued, for tests that prove none leaks.
    public func issuedAccessTokens() -> [String] {
        core.store.withLock { Array($0.entra.issued.keys) + Array($0.machineMetrics.issued.keys) }
    }

    /// Every request the simulator has answered, or hung up on.
    public var requestLog: RequestLog { core.store.withLock { $0.requestLog } }
}
