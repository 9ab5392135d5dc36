/// One D365 F&O entity set the connector reads or writes, and all it knows of it: its name in OData URLs, the
/// Data Services privileges that open it, and, for the sets the from-ERP pull reads, the fields read and what
/// their rows become. The one place these facts are written.
public struct EntitySet: Hashable, Sendable, CustomStringConvertible {
    /// What the from-ERP pull does with an entity set.
    public struct Pull: Sendable {
        /// The MachineMetrics collection its rows become.
        public let collection: RecordCollection
        /// How inbox file names call its pages.
        public let inboxKind: String
        /// The fields it is read with (`$select`).
        public let select: [String]
    }

    /// Its name in OData URLs, e.g. `ProductionOrderHeaders`.
    public let name: String
    /// The entity as the seed's privilege table names it.
    public let aotEntity: String
    /// The Data Services privilege that lets the service account read it.
    public let viewPrivilege: String
    /// The one that lets it write.
    public let maintainPrivilege: String
    /// What the from-ERP pull makes of it; `nil` for the sets it does not read.
    public let pull: Pull?

    public var description: String { name }

    /// How inbox file names call its pages: `production-orders` rather than `ProductionOrderHeaders`.
    public var inboxKind: String { pull?.inboxKind ?? name }

    public static func == (left: EntitySet, right: EntitySet) -> Bool { left.name == right.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The entity set called `name`, when the connector knows it.
    public static func named(_ name: String) -> EntitySet? { all.first { $0.name == name } }
}

extension EntitySet {
    public static let productionOrders = EntitySet(
        name: "ProductionOrderHeaders", aotEntity: "ProductionOrderHeaders", viewPrivilege: "ProdProductionOrderHeaderEntityView",
        maintainPrivilege: "ProdProductionOrderHeaderEntityMaintain",
        pull: Pull(
            collection: .workOrders, inboxKind: "production-orders",
            select: [
                "dataAreaId", "ProductionOrderNumber", "ProductionOrderName", "ItemNumber", "ProductionOrderStatus", "ScheduledQuantity",
                "ProductionSiteId", "ScheduledStartDate", "ScheduledStartTime", "ScheduledEndDate", "ScheduledEndTime", "DeliveryDate",
                "DeliveryTime",
            ]))
    public static let routeOperations = EntitySet(
        name: "ProductionOrderRouteOperations", aotEntity: "ProductionOrderRouteOperations", viewPrivilege: "ProdRouteOperationsEntityView",
        maintainPrivilege: "ProdRouteOperationsEntityMaintain",
        pull: Pull(
            collection: .operations, inboxKind: "route-operations",
            select: [
                "dataAreaId", "ProductionOrderNumber", "OperationNumber", "OperationPriority", "OperationId", "RouteGroupId",
                "NextOperationNumber", "SetupTime", "ProcessTime", "ProcessQuantity", "OperationsTimeToHourConversionFactor",
                "EstimatedOperationQuantity", "CostingOperationResourceId", "IsOperationCompleted",
            ]))
    public static let resources = EntitySet(
        name: "OperationsResources", aotEntity: "OperationsResources", viewPrivilege: "OpResOperationsResourceEntityView",
        maintainPrivilege: "OpResOperationsResourceEntityMaintain",
        pull: Pull(
            collection: .resources, inboxKind: "resources",
            select: ["dataAreaId", "ResourceId", "ResourceName", "OperationsResourceType", "RouteGroupId"]))
    public static let workers = EntitySet(
        name: "Workers", aotEntity: "HcmWorkerEntity", viewPrivilege: "HcmWorkerEntityView", maintainPrivilege: "HcmWorkerEntityMaintain",
        pull: Pull(collection: .persons, inboxKind: "workers", select: ["PersonnelNumber", "Name", "WorkerStatus"]))
    public static let releasedProducts = EntitySet(
        name: "ReleasedProductsV2", aotEntity: "ReleasedProductsV2", viewPrivilege: "EcoResReleasedProductV2EntityView",
        maintainPrivilege: "EcoResReleasedProductV2EntityMaintain",
        pull: Pull(
            collection: .parts, inboxKind: "released-products",
            select: ["dataAreaId", "ItemNumber", "ProductSearchName", "SearchName", "InventoryUnitSymbol"]))
    public static let routeJobs = EntitySet(
        name: "ProductionOrderRouteJobs", aotEntity: "ProductionOrderRouteJobs", viewPrivilege: "ProdProductionOrderRouteJobEntityView",
        maintainPrivilege: "ProdProductionOrderRouteJobEntityMaintain", pull: nil)
    public static let routeCardJournal = EntitySet(
        name: "RouteCardProductionJournalEntries", aotEntity: "RouteCardProductionJournalEntries",
        viewPrivilege: "ProdRouteCardJournalEntryEntityView", maintainPrivilege: "ProdRouteCardJournalEntryEntityMaintain", pull: nil)
    public static let jobCardJournal = EntitySet(
        name: "JobCardProductionJournalEntries", aotEntity: "JobCardProductionJournalEntries",
        viewPrivilege: "ProdJobCardJournalEntryEntityView", maintainPrivilege: "ProdJobCardJournalEntryEntityMaintain", pull: nil)

    /// Every entity set the connector knows.
    public static let all: [EntitySet] = [
        productionOrders, routeOperations, resources, workers, releasedProducts, routeJobs, routeCardJournal, jobCardJournal,
    ]
    /// The ones the from-ERP pull reads.
    public static let pulled: [EntitySet] = all.filter { $0.pull != nil }

    /// The production order statuses (`ProdStatus`) of the synchronised set: released, started, reported finished.
    public static let openOrderStatuses = ["Released", "StartedUp", "ReportedFinished"]
}
