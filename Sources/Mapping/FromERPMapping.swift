import Foundation
import JSON
import Vocabulary

/// D365 rows → MachineMetrics records (`contracts/machinemetrics-api.md` §2). Pure functions.
public enum FromERPMapping {
    /// The legal entity and site the connector synchronises.
    public struct Scope: Sendable {
        public let dataAreaID: String
        public let siteID: String

        public init(dataAreaID: String, siteID: String) {
            self.dataAreaID = dataAreaID.lowercased()
            self.siteID = siteID
        }
    }

    /// The statuses of the synchronised set.
    public static let openStatuses = EntitySet.openOrderStatuses

    /// Whether a record belongs to the synchronised set (an open work order of this scope, an employed person):
    /// records that were in it and leave it are sent once more with their new status. Decided by the record alone,
    /// so that what the mapping made and what MachineMetrics accepted are judged by the same rule.
    public static func isInSynchronisedSet(collection: RecordCollection, record: JSONValue) -> Bool {
        let status = record["status"]?.stringValue ?? ""
        switch collection {
        case .workOrders: return openRecordStatuses.contains(status)
        case .persons: return status == "employed"
        default: return false
        }
    }

    /// What an open order of this scope is called in MachineMetrics; an open one of another scope is `ended`.
    private static let openRecordStatuses = Set(openStatuses.compactMap { statusNames[$0] })

    /// The version of what these functions make of a row. Change it with any change to a record's content: a row whose
    /// digest is remembered is not mapped again, so without a new revision the new content would never be sent.
    public static let revision = 1

    /// What a record depends on besides its row: the revision, the scope and the entity set. A row's digest (the
    /// SHA-256 of its text, worked out with the inbox file's checksum) tells the same row met again; what each row
    /// made is remembered per collection under this context, and forgotten when the context changes.
    public static func digestContext(entitySet: EntitySet, scope: Scope) -> String {
        "d365mm-row/\(revision)/\(scope.dataAreaID)/\(scope.siteID)/\(entitySet)"
    }

    public static func record(entitySet: EntitySet, row: JSONValue, scope: Scope) throws(MappingError) -> MappedRecord {
        guard let collection = entitySet.pull?.collection else {
            throw MappingError("the entity set \(entitySet) does not map to a MachineMetrics collection")
        }
        let row = try Row(row, entity: entitySet.name)
        let made: (key: String, record: JSONObject)
        switch entitySet {
        case .productionOrders: made = try workOrder(row, scope: scope)
        case .routeOperations: made = try operation(row)
        case .resources: made = try resource(row)
        case .workers: made = try person(row)
        case .releasedProducts: made = try part(row)
        default: throw MappingError("the entity set \(entitySet) does not map to a MachineMetrics collection")
        }
        let record = JSONValue.object(made.record)
        return MappedRecord(
            collection: collection, key: made.key, record: record, inScope: isInSynchronisedSet(collection: collection, record: record))
    }

    /// The key of a work order, as operations and labor tickets point at it.
    public static func workOrderKey(dataAreaID: String, number: String) -> String { "\(dataAreaID.lowercased())/\(number)" }

    /// The key of the record `row` makes, without mapping the rest (its collection is the entity set's); nil where
    /// mapping would fail. It is worked out for every row a run meets.
    public static func key(entitySet: EntitySet, row: JSONValue) -> String? {
        guard let row = try? Row(row, entity: entitySet.name) else { return nil }
        switch entitySet {
        case .productionOrders: return try? workOrderKey(row)
        case .routeOperations: return try? operationKey(row)
        case .resources: return try? companyKey(row, "ResourceId")
        case .workers: return try? row.required("PersonnelNumber")
        case .releasedProducts: return try? companyKey(row, "ItemNumber")
        default: return nil
        }
    }

    private static func workOrderKey(_ row: Row) throws(MappingError) -> String {
        workOrderKey(dataAreaID: try row.required("dataAreaId"), number: try row.required("ProductionOrderNumber"))
    }

    private static func operationKey(_ row: Row) throws(MappingError) -> String {
        let order = try row.required("ProductionOrderNumber")
        guard let sequence = row.integer("OperationNumber") else { throw MappingError("an operation of \(order) has no OperationNumber") }
        return "\(try row.required("dataAreaId").lowercased())/\(order)/\(sequence)/\(try row.required("OperationPriority"))"
    }

    /// `<dataAreaId>/<field>`: resources and parts are per legal entity.
    private static func companyKey(_ row: Row, _ field: String) throws(MappingError) -> String {
        "\(try row.required("dataAreaId").lowercased())/\(try row.required(field))"
    }

    static func workOrder(_ row: Row, scope: Scope) throws(MappingError) -> (key: String, record: JSONObject) {
        let dataArea = try row.required("dataAreaId").lowercased()
        let number = try row.required("ProductionOrderNumber")
        let d365Status = try row.required("ProductionOrderStatus")
        guard var status = statusNames[d365Status] else {
            throw MappingError("production order \(number) has the unknown status \(d365Status)")
        }
        let inScope = openStatuses.contains(d365Status) && dataArea == scope.dataAreaID && row.string("ProductionSiteId") == scope.siteID
        // An order that moved to another site or legal entity has left this connector's set: MachineMetrics must stop offering it.
        if !inScope && openStatuses.contains(d365Status) { status = "ended" }
        let item = row.string("ItemNumber") ?? ""
        let record = JSONObject([
            ("key", .string(workOrderKey(dataAreaID: dataArea, number: number))), ("dataAreaId", .string(dataArea)), ("number", .string(number)),
            ("name", .string(row.string("ProductionOrderName"))), ("siteId", .string(row.string("ProductionSiteId"))),
            ("partKey", item.isEmpty ? .null : .string("\(dataArea)/\(item)")), ("quantityRequired", row.number("ScheduledQuantity")),
            ("status", .string(status)),
            ("scheduledStartAt", row.instant(date: "ScheduledStartDate", time: "ScheduledStartTime")),
            ("scheduledEndAt", row.instant(date: "ScheduledEndDate", time: "ScheduledEndTime")),
            ("dueAt", row.instant(date: "DeliveryDate", time: "DeliveryTime")),
        ])
        return (try workOrderKey(row), record)
    }

    static let statusNames = [
        "Created": "created", "CostEstimated": "created", "Scheduled": "scheduled", "Released": "released",
        "StartedUp": "started", "ReportedFinished": "reported-finished", "Completed": "ended",
    ]

    static func operation(_ row: Row) throws(MappingError) -> (key: String, record: JSONObject) {
        let dataArea = try row.required("dataAreaId").lowercased()
        let order = try row.required("ProductionOrderNumber")
        guard let sequence = row.integer("OperationNumber") else { throw MappingError("an operation of \(order) has no OperationNumber") }
        let priority = try row.required("OperationPriority")
        let factor = row.object["OperationsTimeToHourConversionFactor"]
        let setupHours = DecimalRounding.sixPlaces(row.object["SetupTime"], times: factor, dividedBy: nil)
        let runHours = DecimalRounding.sixPlaces(row.object["ProcessTime"], times: factor, dividedBy: row.object["ProcessQuantity"])
        let next = row.integer("NextOperationNumber") ?? 0
        let resource = row.string("CostingOperationResourceId") ?? ""
        let key = try operationKey(row)
        let record = JSONObject([
            ("key", .string(key)), ("workOrderKey", .string(workOrderKey(dataAreaID: dataArea, number: order))), ("sequence", .number(sequence)),
            ("priority", .string(priority)), ("operationId", .string(row.string("OperationId"))),
            ("resourceKey", resource.isEmpty ? .null : .string("\(dataArea)/\(resource)")), ("routeGroupId", .string(row.string("RouteGroupId"))),
            ("setupHours", .number(setupHours)), ("runHoursPerUnit", .number(runHours)),
            ("quantity", row.number("EstimatedOperationQuantity")), ("nextSequence", next == 0 ? .null : .number(next)),
            ("completed", .bool(row.string("IsOperationCompleted") == "Yes")),
        ])
        return (key, record)
    }

    static func resource(_ row: Row) throws(MappingError) -> (key: String, record: JSONObject) {
        let dataArea = try row.required("dataAreaId").lowercased()
        let resourceID = try row.required("ResourceId")
        let key = try companyKey(row, "ResourceId")
        let record = JSONObject([
            ("key", .string(key)), ("dataAreaId", .string(dataArea)), ("resourceId", .string(resourceID)),
            ("name", .string(row.string("ResourceName"))), ("type", .string(row.string("OperationsResourceType")?.lowercased())),
            ("routeGroupId", .string(row.string("RouteGroupId"))),
        ])
        return (key, record)
    }

    static func person(_ row: Row) throws(MappingError) -> (key: String, record: JSONObject) {
        let number = try row.required("PersonnelNumber")
        let status = row.string("WorkerStatus")?.lowercased()
        let record = JSONObject([
            ("key", .string(number)), ("personnelNumber", .string(number)), ("name", .string(row.string("Name"))), ("status", .string(status)),
        ])
        return (number, record)
    }

    static func part(_ row: Row) throws(MappingError) -> (key: String, record: JSONObject) {
        let dataArea = try row.required("dataAreaId").lowercased()
        let item = try row.required("ItemNumber")
        let productName = row.string("ProductSearchName") ?? ""
        let key = try companyKey(row, "ItemNumber")
        let record = JSONObject([
            ("key", .string(key)), ("dataAreaId", .string(dataArea)), ("itemNumber", .string(item)),
            ("name", .string(productName.isEmpty ? row.string("SearchName") : productName)), ("unit", .string(row.string("InventoryUnitSymbol"))),
        ])
        return (key, record)
    }
}
