import Foundation
import JSON

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

    /// The order MachineMetrics needs batches in: parents before the records that point at them.
    public static let collectionOrder = ["parts", "resources", "persons", "work-orders", "operations", "labor-tickets"]

    /// The D365 entity sets the from-ERP pull reads, and the collection each becomes.
    public static let collections: [String: String] = [
        "ProductionOrderHeaders": "work-orders", "ProductionOrderRouteOperations": "operations", "OperationsResources": "resources",
        "Workers": "persons", "ReleasedProductsV2": "parts",
    ]

    /// The fields each entity set is read with (`$select`).
    public static let selectedFields: [String: [String]] = [
        "ProductionOrderHeaders": ["dataAreaId", "ProductionOrderNumber", "ProductionOrderName", "ItemNumber", "ProductionOrderStatus",
                                   "ScheduledQuantity", "ProductionSiteId", "ScheduledStartDate", "ScheduledStartTime", "ScheduledEndDate",
                                   "ScheduledEndTime", "DeliveryDate", "DeliveryTime"],
        "ProductionOrderRouteOperations": ["dataAreaId", "ProductionOrderNumber", "OperationNumber", "OperationPriority", "OperationId",
                                           "RouteGroupId", "NextOperationNumber", "SetupTime", "ProcessTime", "ProcessQuantity",
                                           "OperationsTimeToHourConversionFactor", "EstimatedOperationQuantity", "CostingOperationResourceId",
                                           "IsOperationCompleted"],
        "OperationsResources": ["dataAreaId", "ResourceId", "ResourceName", "OperationsResourceType", "RouteGroupId"],
        "Workers": ["PersonnelNumber", "Name", "WorkerStatus"],
        "ReleasedProductsV2": ["dataAreaId", "ItemNumber", "ProductSearchName", "SearchName", "InventoryUnitSymbol"],
    ]

    /// The statuses of the synchronised set.
    public static let openStatuses = ["Released", "StartedUp", "ReportedFinished"]

    /// The version of what these functions make of a row. Change it with any change to a record's content: a row whose
    /// digest is remembered is not mapped again, so without a new revision the new content would never be sent.
    public static let revision = 1

    /// What a record depends on besides its row: the revision, the scope and the entity set. A row's digest (the
    /// SHA-256 of its text, worked out with the inbox file's checksum) tells the same row met again; what each row
    /// made is remembered per collection under this context, and forgotten when the context changes.
    public static func digestContext(entitySet: String, scope: Scope) -> String {
        "d365mm-row/\(revision)/\(scope.dataAreaID)/\(scope.siteID)/\(entitySet)"
    }

    public static func record(entitySet: String, row: JSONValue, scope: Scope) throws(MappingError) -> MappedRecord {
        let row = try Row(row, entity: entitySet)
        switch entitySet {
        case "ProductionOrderHeaders": return try workOrder(row, scope: scope)
        case "ProductionOrderRouteOperations": return try operation(row)
        case "OperationsResources": return try resource(row)
        case "Workers": return try person(row)
        case "ReleasedProductsV2": return try part(row)
        default: throw MappingError("the entity set \(entitySet) does not map to a MachineMetrics collection")
        }
    }

    /// The key of a work order, as operations and labor tickets point at it.
    public static func workOrderKey(dataAreaID: String, number: String) -> String { "\(dataAreaID.lowercased())/\(number)" }

    /// The key of the record `row` makes, without mapping the rest (its collection is ``collections``); nil where
    /// mapping would fail. It is worked out for every row a run meets.
    public static func key(entitySet: String, row: JSONValue) -> String? {
        guard let row = try? Row(row, entity: entitySet) else { return nil }
        switch entitySet {
        case "ProductionOrderHeaders": return try? workOrderKey(row)
        case "ProductionOrderRouteOperations": return try? operationKey(row)
        case "OperationsResources": return try? companyKey(row, "ResourceId")
        case "Workers": return try? row.required("PersonnelNumber")
        case "ReleasedProductsV2": return try? companyKey(row, "ItemNumber")
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

    static func workOrder(_ row: Row, scope: Scope) throws(MappingError) -> MappedRecord {
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
        return MappedRecord(collection: "work-orders", key: try workOrderKey(row), record: .object(record), inScope: inScope)
    }

    static let statusNames = [
        "Created": "created", "CostEstimated": "created", "Scheduled": "scheduled", "Released": "released",
        "StartedUp": "started", "ReportedFinished": "reported-finished", "Completed": "ended",
    ]

    static func operation(_ row: Row) throws(MappingError) -> MappedRecord {
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
        return MappedRecord(collection: "operations", key: key, record: .object(record), inScope: false)
    }

    static func resource(_ row: Row) throws(MappingError) -> MappedRecord {
        let dataArea = try row.required("dataAreaId").lowercased()
        let resourceID = try row.required("ResourceId")
        let key = try companyKey(row, "ResourceId")
        let record = JSONObject([
            ("key", .string(key)), ("dataAreaId", .string(dataArea)), ("resourceId", .string(resourceID)),
            ("name", .string(row.string("ResourceName"))), ("type", .string(row.string("OperationsResourceType")?.lowercased())),
            ("routeGroupId", .string(row.string("RouteGroupId"))),
        ])
        return MappedRecord(collection: "resources", key: key, record: .object(record), inScope: false)
    }

    static func person(_ row: Row) throws(MappingError) -> MappedRecord {
        let number = try row.required("PersonnelNumber")
        let status = row.string("WorkerStatus")?.lowercased()
        let record = JSONObject([
            ("key", .string(number)), ("personnelNumber", .string(number)), ("name", .string(row.string("Name"))), ("status", .string(status)),
        ])
        return MappedRecord(collection: "persons", key: number, record: .object(record), inScope: status == "employed")
    }

    static func part(_ row: Row) throws(MappingError) -> MappedRecord {
        let dataArea = try row.required("dataAreaId").lowercased()
        let item = try row.required("ItemNumber")
        let productName = row.string("ProductSearchName") ?? ""
        let key = try companyKey(row, "ItemNumber")
        let record = JSONObject([
            ("key", .string(key)), ("dataAreaId", .string(dataArea)), ("itemNumber", .string(item)),
            ("name", .string(productName.isEmpty ? row.string("SearchName") : productName)), ("unit", .string(row.string("InventoryUnitSymbol"))),
        ])
        return MappedRecord(collection: "parts", key: key, record: .object(record), inScope: false)
    }
}
