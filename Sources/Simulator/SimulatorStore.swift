import Foundation

/// Everything a simulated world holds that changes, guarded as one by the simulator's lock.
struct SimulatorStore {
    var tables: [String: Table]
    var journalSequence: [String: Int]
    var jobSequence: [String: Int]
    var entra: EntraState
    var machineMetrics: MachineMetricsState
    var faults = FaultBook()
    var missingPrivileges: Set<String>
    var pageSize: Int
    var postingAction: String?
    var requestLog = RequestLog()

    init(options: SimulatorOptions, clientCertificates: [RegisteredCertificate]) {
        let dataSet = DataSetGenerator.generate(options.dataSet)
        tables = dataSet.tables
        journalSequence = dataSet.journalSequence
        jobSequence = dataSet.jobSequence
        entra = EntraState(
            tenantID: options.identities.tenantID, tenantDomain: options.identities.tenantDomain,
            clientID: options.identities.clientID, clientSecret: options.identities.clientSecret,
            clientSecretExpired: options.clientSecretExpired, appRegisteredInD365: options.appRegisteredInD365,
            tokenLifetimeSeconds: options.d365TokenLifetimeSeconds, clientCertificates: clientCertificates
        )
        machineMetrics = MachineMetricsState(
            serviceToken: options.identities.mappingServiceToken,
            tokenLifetimeSeconds: options.machineMetricsTokenLifetimeSeconds,
            tickets: dataSet.tickets
        )
        faults.add(options.faults)
        missingPrivileges = options.missingPrivileges
        pageSize = options.pageSize
        postingAction = options.postingAction
    }
}

/// What was asked of the simulator, for tests, the demo and the benchmarks.
public struct RequestLog: Sendable {
    /// One request as answered.
    public struct Entry: Sendable {
        public let service: FaultRule.Service
        public let method: String
        public let path: String
        /// The query string, without the `?`.
        public let query: String
        public let status: Int?
        public let fault: String?
    }

    /// Every request, oldest first (the admin routes are not counted).
    public private(set) var entries: [Entry] = []

    mutating func record(_ entry: Entry) { entries.append(entry) }

    /// How many requests went to `service`, optionally only those whose path contains `path`.
    public func count(service: FaultRule.Service, method: String? = nil, path: String? = nil) -> Int {
        entries.filter { entry in
            (service == .any || entry.service == service) && (method == nil || entry.method == method)
                && (path.map { entry.path.contains($0) } ?? true)
        }.count
    }
}
