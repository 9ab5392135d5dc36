/// A labor ticket as MachineMetrics holds it, with what the connector has acknowledged of it.
public struct LaborTicket: Sendable, Equatable {
    public var id: String
    public var revision: Int
    public var workOrderNumber: String
    public var dataAreaId: String
    public var operationSequence: Int
    public var operationPriority: String
    public var resourceId: String?
    public var personnelNumber: String?
    /// `setup` or `production`.
    public var kind: String
    /// Seconds since the epoch.
    public var startAt: Int64
    public var endAt: Int64
    /// Millionths.
    public var goodQuantity: Int64
    public var badQuantity: Int64
    public var scrapReasonCode: String?
    public var operationCompleted: Bool
    /// Only closed tickets wait for the ERP.
    public var closed: Bool

    /// The highest revision acknowledged `exported`, and its ERP reference.
    public var exportedRevision: Int?
    public var erpReference: String?
    /// The last `failed` acknowledgement: the revision and the message the ERP error log shows.
    public var failedRevision: Int?
    public var failureMessage: String?

    /// Whether the ticket appears in `GET …/labor-tickets/pending`.
    public var isPending: Bool { closed && (exportedRevision ?? 0) < revision }

    /// The ticket in the contract's JSON shape.
    func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("revision")
        writer.integer(Int64(revision))
        writer.key("workOrderNumber")
        writer.string(workOrderNumber)
        writer.key("dataAreaId")
        writer.string(dataAreaId)
        writer.key("operationSequence")
        writer.integer(Int64(operationSequence))
        writer.key("operationPriority")
        writer.string(operationPriority)
        writer.key("resourceId")
        writer.optionalString(resourceId)
        writer.key("personnelNumber")
        writer.optionalString(personnelNumber)
        writer.key("kind")
        writer.string(kind)
        writer.key("startAt")
        writer.dateTime(startAt)
        writer.key("endAt")
        writer.dateTime(endAt)
        writer.key("goodQuantity")
        writer.decimal(goodQuantity)
        writer.key("badQuantity")
        writer.decimal(badQuantity)
        writer.key("scrapReasonCode")
        writer.optionalString(scrapReasonCode)
        writer.key("operationCompleted")
        writer.boolean(operationCompleted)
        writer.endObject()
        return writer.bytes
    }
}
