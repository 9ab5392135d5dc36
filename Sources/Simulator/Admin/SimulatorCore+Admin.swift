import Foundation

/// `/_sim/…`: inspection and control of a running `d365mm simulate`, for the demo, the benchmarks and people.
///
/// - `GET /_sim/summary`: counts of what MachineMetrics received, D365's journals and the requests served
/// - `GET /_sim/requests`: every request served, a line each: service, method, status (`-` when hung up on), URL
/// - `GET /_sim/mm/{collection}`: MachineMetrics' records by key, with how many times each was received
/// - `GET /_sim/d365/journals`: every route card and job card journal line
/// - `POST /_sim/d365/update` `{"entity": "ProductionOrderHeaders", "key": {…}, "set": {…}}`: edit a row
/// - `POST /_sim/d365/batch-posting`: post every unposted journal, as D365's batch job would
/// - `POST /_sim/faults` `{"faults": [ … ]}`, `DELETE /_sim/faults`: add or clear fault rules
extension SimulatorCore {
    func handleAdmin(_ request: SimulatedRequest) -> SimulatedResponse {
        let route = String(request.path.dropFirst("/_sim/".count))
        switch (request.method, route) {
        case ("GET", "summary"):
            if request.queryValue("format") == "text" { return .text(200, summaryText()) }
            return .json(200, object: summary())
        case ("GET", "requests"):
            let lines = store.withLock { $0.requestLog.entries }.map { entry in
                let url = base + entry.path + (entry.query.isEmpty ? "" : "?" + entry.query)
                return "\(entry.service.rawValue) \(entry.method) \(entry.status.map(String.init) ?? "-") \(url)\n"
            }
            return .text(200, lines.joined())
        case ("GET", let path) where path.hasPrefix("mm/"):
            let collection = String(path.dropFirst(3))
            let records = store.withLock { $0.machineMetrics.records[collection] ?? [:] }
            return .json(
                200,
                object: records.mapValues { record -> [String: Any] in
                    ["timesReceived": record.timesReceived, "record": (try? JSONSerialization.jsonObject(with: Data(record.json))) ?? NSNull()]
                })
        case ("GET", "d365/journals"):
            var lines: [Any] = []
            for entity in [Entities.routeCardJournalEntries, Entities.jobCardJournalEntries] {
                let table = store.withLock { $0.tables[entity.setName]! }
                let page = PageWriter(baseURL: base, table: table).page(
                    rows: ArraySlice((0..<Int32(table.count)).map { $0 }), select: nil, count: nil, nextLink: nil)
                if let object = (try? JSONSerialization.jsonObject(with: Data(page))) as? [String: Any], let value = object["value"] as? [Any] {
                    lines += value
                }
            }
            return .json(200, object: lines)
        case ("POST", "d365/update"):
            guard let object = MachineMetricsService.object(request.body), let entity = object["entity"] as? String,
                let key = object["key"] as? [String: Any], let changes = object["set"] as? [String: Any]
            else {
                return .json(400, object: ["message": "body must be {\"entity\": …, \"key\": {…}, \"set\": {…}}"])
            }
            do {
                try update(entity, key: key, set: changes)
                return .json(200, object: ["updated": 1])
            } catch {
                return .json(400, object: ["message": error.description])
            }
        case ("POST", "d365/batch-posting"):
            return .json(200, object: ["posted": runBatchPosting()])
        case ("POST", "faults"):
            do {
                let scenario = try JSONDecoder().decode(Scenario.self, from: Data(request.body))
                store.withLock { $0.faults.add(scenario.faults ?? []) }
                return .json(200, object: ["added": scenario.faults?.count ?? 0])
            } catch {
                return .json(400, object: ["message": "not a scenario: \(error)"])
            }
        case ("DELETE", "faults"):
            store.withLock { $0.faults.clear() }
            return .json(200, object: ["cleared": true])
        default:
            return .json(404, object: ["message": "no simulator route \(request.method) /_sim/\(route)"])
        }
    }

    private func summary() -> [String: Any] {
        store.withLock { store in
            var machineMetrics: [String: Any] = [:]
            for collection in MachineMetricsState.collections {
                let records = store.machineMetrics.records[collection] ?? [:]
                machineMetrics[collection] = ["records": records.count, "deliveries": records.values.reduce(0) { $0 + $1.timesReceived }]
            }
            let routeCards = store.tables[Entities.routeCardJournalEntries.setName]!
            let jobCards = store.tables[Entities.jobCardJournalEntries.setName]!
            let connectorLines =
                (0..<routeCards.count).filter { routeCards.string(row: $0, "JournalDescription").hasPrefix("MM-LT ") }.count
                + (0..<jobCards.count).filter { jobCards.string(row: $0, "JournalDescription").hasPrefix("MM-LT ") }.count
            var requests: [String: Int] = [:]
            for service in [FaultRule.Service.entra, .d365, .mm] { requests[service.rawValue] = store.requestLog.count(service: service) }
            return [
                "machineMetrics": machineMetrics,
                "pendingLaborTickets": store.machineMetrics.tickets.filter(\.isPending).count,
                "acknowledgements": store.machineMetrics.acknowledgements.count,
                "d365": ["journalLines": routeCards.count + jobCards.count, "connectorJournalLines": connectorLines],
                "requests": requests,
            ]
        }
    }

    /// The summary for people: what MachineMetrics holds, D365's journals, the requests served.
    private func summaryText() -> String {
        let summary = summary()
        var lines = ["MachineMetrics holds (records, and deliveries that changed them):"]
        let collections = summary["machineMetrics"] as? [String: [String: Int]] ?? [:]
        for collection in MachineMetricsState.collections {
            let counts = collections[collection] ?? [:]
            lines.append(
                "  \(collection.padding(toLength: 14, withPad: " ", startingAt: 0)) \(counts["records"] ?? 0) records, \(counts["deliveries"] ?? 0) deliveries"
            )
        }
        lines.append(
            "  labor tickets pending for the ERP: \(summary["pendingLaborTickets"] as? Int ?? 0), acknowledgements received: \(summary["acknowledgements"] as? Int ?? 0)"
        )
        let d365 = summary["d365"] as? [String: Int] ?? [:]
        lines.append(
            "D365 holds \(d365["journalLines"] ?? 0) production journal lines, \(d365["connectorJournalLines"] ?? 0) of them written by d365mm")
        let requests = summary["requests"] as? [String: Int] ?? [:]
        lines.append("Requests served: Entra ID \(requests["entra"] ?? 0), D365 \(requests["d365"] ?? 0), MachineMetrics \(requests["mm"] ?? 0)")
        return lines.joined(separator: "\n") + "\n"
    }

    func update(_ setName: String, key: [String: Any], set changes: [String: Any]) throws(SimulatorError) {
        guard let entity = Entities.named(setName) else { throw SimulatorError("no entity set named \(setName)") }
        var keyValues: [Value] = []
        for name in entity.keys {
            guard let raw = key[name], let value = Self.convert(raw, to: entity.fields[entity.index(of: name)!].type) else {
                throw SimulatorError("the key of \(setName) needs \(entity.keys.joined(separator: ", "))")
            }
            keyValues.append(value)
        }
        var converted: [(Int, Value)] = []
        for (name, raw) in changes {
            guard let index = entity.index(of: name) else { throw SimulatorError("\(setName) has no field \(name)") }
            guard let value = Self.convert(raw, to: entity.fields[index].type) else {
                throw SimulatorError("'\(raw)' does not fit \(name) (\(entity.fields[index].type.edmName))")
            }
            converted.append((index, value))
        }
        try store.withLock { (store) throws(SimulatorError) in
            guard let row = store.tables[setName]!.row(key: keyValues) else { throw SimulatorError("\(setName) has no row with key \(key)") }
            for (index, value) in converted { store.tables[setName]!.set(row: row, field: index, to: value) }
        }
    }
}

/// A scenario file: fault rules and settings for a simulated run.
public struct Scenario: Sendable, Codable {
    public var faults: [FaultRule]?
    public var missingPrivileges: [String]?
    public var pageSize: Int?
    public var tokenLifetimeSeconds: Int?
    public var clientSecretExpired: Bool?
    public var appRegisteredInD365: Bool?

    /// Reads a scenario from a JSON file.
    public static func load(path: String) throws(SimulatorError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else { throw SimulatorError("cannot read scenario file \(path)") }
        do {
            return try JSONDecoder().decode(Scenario.self, from: data)
        } catch {
            throw SimulatorError("scenario file \(path) is not valid: \(error)")
        }
    }

    /// Applies the scenario's settings and faults to `options`.
    public func apply(to options: inout SimulatorOptions) {
        options.faults += faults ?? []
        options.missingPrivileges.formUnion(missingPrivileges ?? [])
        if let pageSize { options.pageSize = pageSize }
        if let tokenLifetimeSeconds { options.d365TokenLifetimeSeconds = tokenLifetimeSeconds }
        if let clientSecretExpired { options.clientSecretExpired = clientSecretExpired }
        if let appRegisteredInD365 { options.appRegisteredInD365 = appRegisteredInD365 }
    }
}
