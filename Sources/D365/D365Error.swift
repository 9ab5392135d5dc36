import HTTP

/// A failure talking to Entra ID or D365, with the seed's troubleshooting advice.
public struct D365Error: CategorizedError, Sendable {
    public let category: FailureCategory
    /// What happened and what to do, for the operator.
    public let message: String
    /// The HTTP status, when there was an answer.
    public let status: Int?
    /// F&O's own text (`innererror.message`), when it sent one.
    public let detail: String?

    public init(category: FailureCategory, message: String, status: Int?, detail: String?) {
        self.category = category
        self.message = message
        self.status = status
        self.detail = detail
    }

    public var description: String {
        var text = message
        if let detail, !detail.isEmpty { text += " D365 says: \(detail)" }
        return text
    }

    /// The entity set is guarded by a Data Services privilege the service account lacks.
    public static func forbidden(entity: String, write: Bool, detail: String?) -> D365Error {
        let privilege = write ? EntityPrivileges.maintain(entity) : EntityPrivileges.view(entity)
        let grant = write ? "Delete (grants Create + Update + Delete)" : "Read"
        return D365Error(
            category: .authentication,
            message: "D365 refused to \(write ? "write" : "read") \(entity) (403): the service account lacks the Data Services privilege "
                + "\(privilege) on \(EntityPrivileges.aotEntity(entity)) (grant: \(grant)). Confirm all required Data Services privileges "
                + "are assigned to the service account; see Option B in Step 2 of the setup guide.",
            status: 403, detail: detail)
    }

    /// F&O refused a token it was given.
    public static func unauthorized(environment: String) -> D365Error {
        D365Error(
            category: .authentication,
            message: "D365 (\(environment)) refused the access token (401) even after a fresh one was fetched. Link the app registration "
                + "to the service account in D365: System administration > Setup > Microsoft Entra ID applications (SysAADClientTable), "
                + "Client Id = D365_CLIENT_ID; and check D365_ENVIRONMENT_HOST is exactly the environment's host.",
            status: 401, detail: nil)
    }
}

/// The Data Services privileges of the seed's custom integration role (Option B), by entity set.
public enum EntityPrivileges {
    private static let table: [String: (aot: String, view: String, maintain: String)] = [
        "Workers": ("HcmWorkerEntity", "HcmWorkerEntityView", "HcmWorkerEntityMaintain"),
        "OperationsResources": ("OperationsResources", "OpResOperationsResourceEntityView", "OpResOperationsResourceEntityMaintain"),
        "ProductionOrderHeaders": ("ProductionOrderHeaders", "ProdProductionOrderHeaderEntityView", "ProdProductionOrderHeaderEntityMaintain"),
        "ProductionOrderRouteOperations": ("ProductionOrderRouteOperations", "ProdRouteOperationsEntityView", "ProdRouteOperationsEntityMaintain"),
        "ProductionOrderRouteJobs": ("ProductionOrderRouteJobs", "ProdProductionOrderRouteJobEntityView", "ProdProductionOrderRouteJobEntityMaintain"),
        "ReleasedProductsV2": ("ReleasedProductsV2", "EcoResReleasedProductV2EntityView", "EcoResReleasedProductV2EntityMaintain"),
        "RouteCardProductionJournalEntries": ("RouteCardProductionJournalEntries", "ProdRouteCardJournalEntryEntityView", "ProdRouteCardJournalEntryEntityMaintain"),
        "JobCardProductionJournalEntries": ("JobCardProductionJournalEntries", "ProdJobCardJournalEntryEntityView", "ProdJobCardJournalEntryEntityMaintain"),
    ]

    public static func view(_ entity: String) -> String { table[entity]?.view ?? "\(entity)View" }
    public static func maintain(_ entity: String) -> String { table[entity]?.maintain ?? "\(entity)Maintain" }
    /// The entity as the seed's privilege table names it.
    public static func aotEntity(_ entity: String) -> String { table[entity]?.aot ?? entity }
}
