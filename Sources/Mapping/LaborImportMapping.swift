import Foundation
import JSON

/// Posted D365 route or job card journal lines → MachineMetrics `labor-tickets` records, for ERP-driven job
/// tracking (`contracts/machinemetrics-api.md` §2). Pure functions.
public enum LaborImportMapping {
    /// The fields the import reads.
    public static let selectedFields = [
        "dataAreaId", "JournalNumber", "JournalLineNumber", "JournalDescription", "ProductionOrderNumber", "RouteOperationNumber",
        "RouteOperationPriority", "OperationsResourceId", "RegisteredHours", "ReportedGoodInventoryQuantity",
        "ReportedErrorInventoryQuantity", "ConsumptionDate", "IsPosted", "PostedDateTime",
    ]

    /// The record for a journal line; `nil` for a line this connector wrote itself (its description carries a marker).
    public static func record(_ line: JSONValue, entitySet: String) throws(MappingError) -> MappedRecord? {
        let row = try Row(line, entity: entitySet)
        if let description = row.string("JournalDescription"), ToERPMapping.parseMarker(description) != nil { return nil }
        let dataArea = try row.required("dataAreaId").lowercased()
        let journal = try row.required("JournalNumber")
        guard let lineNumber = row.decimal("JournalLineNumber") else { throw MappingError("a line of journal \(journal) has no JournalLineNumber") }
        let order = try row.required("ProductionOrderNumber")
        guard let operation = row.integer("RouteOperationNumber") else { throw MappingError("journal \(journal) has no RouteOperationNumber") }
        let priority = try row.required("RouteOperationPriority")
        let resource = row.string("OperationsResourceId") ?? ""
        let key = ToERPMapping.erpReference(dataAreaID: dataArea, journalNumber: journal, lineNumber: lineNumber)
        let workOrderKey = FromERPMapping.workOrderKey(dataAreaID: dataArea, number: order)
        let record = JSONObject([
            ("key", .string(key)), ("workOrderKey", .string(workOrderKey)), ("operationKey", .string("\(workOrderKey)/\(operation)/\(priority)")),
            ("resourceKey", resource.isEmpty ? .null : .string("\(dataArea)/\(resource)")),
            // The journal entities have no worker field.
            ("personnelNumber", .null),
            ("date", .string(row.string("ConsumptionDate").map { String($0.prefix(10)) })),
            ("hours", row.number("RegisteredHours")), ("goodQuantity", row.number("ReportedGoodInventoryQuantity")),
            ("badQuantity", row.number("ReportedErrorInventoryQuantity")), ("posted", .bool(row.string("IsPosted") == "Yes")),
        ])
        return MappedRecord(collection: .laborTickets, key: key, record: .object(record), inScope: false)
    }
}
