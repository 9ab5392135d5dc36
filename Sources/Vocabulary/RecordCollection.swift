/// A collection of the MachineMetrics ERP mapping service (`contracts/machinemetrics-api.md` §2): its name in URLs,
/// spool files and the state database.
public enum RecordCollection: String, CaseIterable, Sendable {
    case parts
    case resources
    case persons
    case workOrders = "work-orders"
    case operations
    case laborTickets = "labor-tickets"

    /// The order MachineMetrics needs batches in: parents before the records that point at them.
    public static let sendingOrder: [RecordCollection] = [.parts, .resources, .persons, .workOrders, .operations, .laborTickets]
}
