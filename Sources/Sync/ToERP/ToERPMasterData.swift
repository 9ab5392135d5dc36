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

    /// Reads what `tickets` refer to, in chunks of keys.
    static func load(for tickets: [LaborTicket], dataAreaID: String, withJobs: Bool, odata: ODataClient) async throws -> ToERPMasterData {
        var data = ToERPMasterData()
        let orders = Array(Set(tickets.map(\.workOrderNumber))).sorted()
        let workers = Array(Set(tickets.compactMap(\.personnelNumber))).sorted()
        for chunk in orders.chunked(keysPerFilter) {
            let orderFilter = ODataFilter.equalsAny("ProductionOrderNumber", chunk)
            try await odata.readAll(ODataQuery(entitySet: "ProductionOrderHeaders", filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", dataAreaID), orderFilter]),
                                               select: ["ProductionOrderNumber", "ProductionOrderStatus"])) { page in
                for row in page.rows {
                    if let number = row["ProductionOrderNumber"]?.stringValue { data.orderStatus[number.lowercased()] = row["ProductionOrderStatus"]?.stringValue ?? "" }
                }
            }
            try await odata.readAll(ODataQuery(entitySet: "ProductionOrderRouteOperations", filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", dataAreaID), orderFilter]),
                                               select: ["ProductionOrderNumber", "OperationNumber", "OperationPriority", "CostingOperationResourceId"])) { page in
                for row in page.rows {
                    guard let order = row["ProductionOrderNumber"]?.stringValue, let sequence = row["OperationNumber"]?.intValue,
                          let priority = row["OperationPriority"]?.stringValue else { continue }
                    data.operations[operationKey(order: order, sequence: sequence, priority: priority)] = row["CostingOperationResourceId"]?.stringValue ?? ""
                }
            }
            guard withJobs else { continue }
            let jobTypes = ODataFilter.anyOf(["Setup", "Process"].map { ODataFilter.equals("RouteJobType", enumType: "RouteJobType", member: $0) })
            try await odata.readAll(ODataQuery(entitySet: "ProductionOrderRouteJobs",
                                               filter: ODataFilter.allOf([ODataFilter.equals("dataAreaId", dataAreaID), orderFilter, jobTypes]),
                                               select: ["JobId", "ProductionOrderNumber", "OperationNumber", "OperationPriority", "RouteJobType"])) { page in
                for row in page.rows {
                    guard let job = row["JobId"]?.stringValue, let order = row["ProductionOrderNumber"]?.stringValue,
                          let sequence = row["OperationNumber"]?.intValue, let priority = row["OperationPriority"]?.stringValue,
                          let type = row["RouteJobType"]?.stringValue else { continue }
                    data.jobs[operationKey(order: order, sequence: sequence, priority: priority) + "/" + type] = job
                }
            }
        }
        for chunk in workers.chunked(keysPerFilter) {
            let filter = ODataFilter.allOf([ODataFilter.equals("WorkerStatus", enumType: "HcmWorkerStatus", member: "Employed"),
                                            ODataFilter.equalsAny("PersonnelNumber", chunk)])
            try await odata.readAll(ODataQuery(entitySet: "Workers", filter: filter, select: ["PersonnelNumber"])) { page in
                data.employedWorkers.formUnion(page.rows.compactMap { $0["PersonnelNumber"]?.stringValue })
            }
        }
        try await odata.readAll(ODataQuery(entitySet: "OperationsResources", filter: ODataFilter.equals("dataAreaId", dataAreaID), select: ["ResourceId"])) { page in
            data.resources.formUnion(page.rows.compactMap { $0["ResourceId"]?.stringValue?.lowercased() })
        }
        return data
    }

    /// Why `ticket` cannot be written, in words MachineMetrics' ERP error log shows; `nil` when it can.
    func problem(with ticket: LaborTicket, dataAreaID: String, journalKind: String) -> String? {
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
        guard let operationResource = operations[Self.operationKey(order: ticket.workOrderNumber, sequence: ticket.operationSequence, priority: ticket.operationPriority)] else {
            return "operation \(ticket.operationSequence) (\(ticket.operationPriority)) not found on \(ticket.workOrderNumber)"
        }
        let resource = ticket.resourceID ?? operationResource
        guard !resource.isEmpty else { return "no resource: the ticket names none and operation \(ticket.operationSequence) of \(ticket.workOrderNumber) has no costing resource" }
        guard resources.contains(resource.lowercased()) else { return "resource \(resource) not found in D365 (\(dataAreaID))" }
        if journalKind == "job" && jobID(for: ticket) == nil {
            return "operation \(ticket.operationSequence) of \(ticket.workOrderNumber) has no \(ticket.kind == "setup" ? "Setup" : "Process") job (has job scheduling run for the order?)"
        }
        return nil
    }

    func resourceID(for ticket: LaborTicket) -> String {
        ticket.resourceID ?? operations[Self.operationKey(order: ticket.workOrderNumber, sequence: ticket.operationSequence, priority: ticket.operationPriority)] ?? ""
    }

    /// The route job of the ticket's operation and kind: `Setup` for setup labor, `Process` for production.
    func jobID(for ticket: LaborTicket) -> String? {
        jobs[Self.operationKey(order: ticket.workOrderNumber, sequence: ticket.operationSequence, priority: ticket.operationPriority)
             + (ticket.kind == "setup" ? "/Setup" : "/Process")]
    }
}
