import ConnectorConfiguration
import D365
import Foundation
import JSON
import Mapping

/// What D365 itself says, at write time, about the orders, operations, workers and resources labor tickets name:
/// a ticket heals as soon as D365 has the missing data.
struct ToERPMasterData {
    var orderStatus: [String: String] = [:]
    /// The costing resource of each operation.
    var operations: [String: String] = [:]
    /// Route jobs by operation and job type (`Setup`, `Process`), for job journals.
    var jobs: [String: String] = [:]
    var employedWorkers = Set<String>()
    var resources = Set<String>()

    static func operationKey(order: String, sequence: Int, priority: String) -> String { "\(order.lowercased())/\(sequence)/\(priority)" }

    /// What a read of the master data is for.
    private enum Read {
        case orders, operations, jobs, workers, resources
    }

    /// Reads what `tickets` refer to: chunks of keys, many reads to a `$batch`.
    static func load(for tickets: [LaborTicket], dataAreaID: String, withJobs: Bool, odata: ODataClient) async throws -> ToERPMasterData {
        let orders = Array(Set(tickets.map(\.workOrderNumber))).sorted()
        let workers = Array(Set(tickets.compactMap(\.personnelNumber))).sorted()
        let company = ODataFilter.equals("dataAreaId", dataAreaID)
        var reads: [(read: Read, query: ODataQuery)] = []
        for chunk in orders.chunked(keysPerFilter) {
            let orderFilter = ODataFilter.allOf([company, ODataFilter.equalsAny("ProductionOrderNumber", chunk)])
            reads.append(
                (.orders, ODataQuery(entitySet: .productionOrders, filter: orderFilter, select: ["ProductionOrderNumber", "ProductionOrderStatus"])))
            reads.append(
                (
                    .operations,
                    ODataQuery(
                        entitySet: .routeOperations, filter: orderFilter,
                        select: ["ProductionOrderNumber", "OperationNumber", "OperationPriority", "CostingOperationResourceId"])
                ))
            if withJobs {
                let jobTypes = ODataFilter.anyOf(
                    ["Setup", "Process"].map { ODataFilter.equals("RouteJobType", enumType: "RouteJobType", member: $0) })
                reads.append(
                    (
                        .jobs,
                        ODataQuery(
                            entitySet: .routeJobs, filter: ODataFilter.allOf([orderFilter, jobTypes]),
                            select: ["JobId", "ProductionOrderNumber", "OperationNumber", "OperationPriority", "RouteJobType"])
                    ))
            }
        }
        for chunk in workers.chunked(keysPerFilter) {
            let filter = ODataFilter.allOf([
                ODataFilter.equals("WorkerStatus", enumType: "HcmWorkerStatus", member: "Employed"),
                ODataFilter.equalsAny("PersonnelNumber", chunk),
            ])
            reads.append((.workers, ODataQuery(entitySet: .workers, filter: filter, select: ["PersonnelNumber"])))
        }
        reads.append((.resources, ODataQuery(entitySet: .resources, filter: company, select: ["ResourceId"])))

        var data = ToERPMasterData()
        try await odata.readBatched(reads.map(\.query)) { index, page in
            for row in page.rows { data.take(row, from: reads[index].read) }
        }
        return data
    }

    private mutating func take(_ row: JSONValue, from read: Read) {
        switch read {
        case .orders:
            if let number = row["ProductionOrderNumber"]?.stringValue {
                orderStatus[number.lowercased()] = row["ProductionOrderStatus"]?.stringValue ?? ""
            }
        case .operations:
            guard let order = row["ProductionOrderNumber"]?.stringValue, let sequence = row["OperationNumber"]?.intValue,
                let priority = row["OperationPriority"]?.stringValue
            else { return }
            operations[Self.operationKey(order: order, sequence: sequence, priority: priority)] = row["CostingOperationResourceId"]?.stringValue ?? ""
        case .jobs:
            guard let job = row["JobId"]?.stringValue, let order = row["ProductionOrderNumber"]?.stringValue,
                let sequence = row["OperationNumber"]?.intValue, let priority = row["OperationPriority"]?.stringValue,
                let type = row["RouteJobType"]?.stringValue
            else { return }
            jobs[Self.operationKey(order: order, sequence: sequence, priority: priority) + "/" + type] = job
        case .workers:
            if let personnel = row["PersonnelNumber"]?.stringValue { employedWorkers.insert(personnel) }
        case .resources:
            if let resource = row["ResourceId"]?.stringValue { resources.insert(resource.lowercased()) }
        }
    }

    /// Why `ticket` cannot be written, in words MachineMetrics' ERP error log shows; `nil` when it can.
    func problem(with ticket: LaborTicket, dataAreaID: String, journalKind: Configuration.JournalKind) -> String? {
        guard ticket.dataAreaID.lowercased() == dataAreaID.lowercased() else {
            return "ticket belongs to legal entity \(ticket.dataAreaID), not \(dataAreaID) which this connector writes to"
        }
        guard let personnel = ticket.personnelNumber, !personnel.isEmpty else { return "ticket has no operator (personnel number)" }
        guard employedWorkers.contains(personnel) else { return "operator \(personnel) is not an employed worker in D365" }
        guard let status = orderStatus[ticket.workOrderNumber.lowercased()] else {
            return "production order \(ticket.workOrderNumber) not found in D365 (\(dataAreaID))"
        }
        guard ["Released", "StartedUp", "ReportedFinished"].contains(status) else {
            return "production order \(ticket.workOrderNumber) is \(status == "Completed" ? "ended" : status) in D365; labor cannot be written to it"
        }
        guard
            let operationResource = operations[
                Self.operationKey(order: ticket.workOrderNumber, sequence: ticket.operationSequence, priority: ticket.operationPriority)]
        else {
            return "operation \(ticket.operationSequence) (\(ticket.operationPriority)) not found on \(ticket.workOrderNumber)"
        }
        let resource = ticket.resourceID ?? operationResource
        guard !resource.isEmpty else {
            return "no resource: the ticket names none and operation \(ticket.operationSequence) of \(ticket.workOrderNumber) has no costing resource"
        }
        guard resources.contains(resource.lowercased()) else { return "resource \(resource) not found in D365 (\(dataAreaID))" }
        if journalKind == .job && jobID(for: ticket) == nil {
            return
                "operation \(ticket.operationSequence) of \(ticket.workOrderNumber) has no \(ticket.kind == "setup" ? "Setup" : "Process") job (has job scheduling run for the order?)"
        }
        return nil
    }

    func resourceID(for ticket: LaborTicket) -> String {
        ticket.resourceID ?? operations[
            Self.operationKey(order: ticket.workOrderNumber, sequence: ticket.operationSequence, priority: ticket.operationPriority)] ?? ""
    }

    /// The route job of the ticket's operation and kind: `Setup` for setup labor, `Process` for production.
    func jobID(for ticket: LaborTicket) -> String? {
        jobs[
            Self.operationKey(order: ticket.workOrderNumber, sequence: ticket.operationSequence, priority: ticket.operationPriority)
                + (ticket.kind == "setup" ? "/Setup" : "/Process")]
    }
}
