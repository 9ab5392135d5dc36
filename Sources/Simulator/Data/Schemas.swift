/// The F&O enumeration types the simulated entities use, with F&O's member values.
public enum EnumTypes {
    public static let prodStatus = EnumType(
        name: "ProdStatus",
        members: [
            ("Created", 0), ("CostEstimated", 1), ("Scheduled", 2), ("Released", 3),
            ("StartedUp", 4), ("ReportedFinished", 5), ("Completed", 7),
        ])
    public static let noYes = EnumType(name: "NoYes", members: [("No", 0), ("Yes", 1)])
    public static let routeOprPriority = EnumType(
        name: "RouteOprPriority",
        members: [("Primary", 0)] + (1...20).map { ("Secondary\($0)", $0) }
    )
    public static let routeJobType = EnumType(
        name: "RouteJobType",
        members: [
            ("QueueBefore", 0), ("Setup", 1), ("Process", 2), ("Overlap", 3), ("Transport", 4), ("QueueAfter", 5), ("Burden", 6),
        ])
    public static let prodJobStatus = EnumType(
        name: "ProdJobStatus",
        members: [
            ("Coming", 0), ("Waiting", 1), ("Stopped", 2), ("Started", 3), ("Completed", 4),
        ])
    public static let wrkCtrType = EnumType(
        name: "WrkCtrType",
        members: [
            ("Vendor", 0), ("Personnel", 1), ("Machine", 2), ("Tool", 3), ("Location", 4), ("Group", 5), ("Facility", 6),
        ])
    public static let hcmWorkerStatus = EnumType(name: "HcmWorkerStatus", members: [("Pending", 0), ("Employed", 1), ("Terminated", 2)])
    public static let hcmWorkerType = EnumType(name: "HcmWorkerType", members: [("Employee", 0), ("Contractor", 1)])
    public static let prodErrorCause = EnumType(
        name: "ProdErrorCause",
        members: [
            ("None", 0), ("Material", 1), ("Machine", 2), ("OperatingStaff", 3),
        ])
    public static let prodSchedStatus = EnumType(
        name: "ProdSchedStatus",
        members: [
            ("None", 0), ("OperationScheduled", 1), ("JobScheduled", 2),
        ])
    public static let schedJobLinkType = EnumType(name: "SchedJobLinkType", members: [("None", 0), ("Soft", 1), ("Hard", 2)])
    public static let routeOprType = EnumType(name: "RouteOprType", members: [("Standard", 0), ("Vendor", 1)])
    public static let ecoResProductType = EnumType(name: "EcoResProductType", members: [("Item", 1), ("Service", 2)])
    public static let ecoResProductSubtype = EnumType(name: "EcoResProductSubtype", members: [("Product", 1), ("ProductMaster", 2)])
    public static let pmfProductType = EnumType(
        name: "PmfProductType",
        members: [
            ("None", 0), ("BOM", 1), ("Formula", 2), ("Co_Product", 3), ("By_Product", 4), ("Planning", 5),
        ])

    static let all = [
        prodStatus, noYes, routeOprPriority, routeJobType, prodJobStatus, wrkCtrType, hcmWorkerStatus, hcmWorkerType,
        prodErrorCause, prodSchedStatus, schedJobLinkType, routeOprType, ecoResProductType, ecoResProductSubtype, pmfProductType,
    ]
}

/// The public data entities the simulator serves, with the real OData field names (reference/d365-fo.md §4).
public enum Entities {
    public static let productionOrderHeaders = EntityDefinition(
        setName: "ProductionOrderHeaders", typeName: "ProductionOrderHeader", aotName: "ProdProductionOrderHeaderEntity",
        keys: ["dataAreaId", "ProductionOrderNumber"], viewPrivilege: "ProdProductionOrderHeaderEntityView",
        fields: [
            ("dataAreaId", .string), ("ProductionOrderNumber", .string), ("ProductionOrderName", .string),
            ("ItemNumber", .string), ("ProductionOrderStatus", .enumeration(EnumTypes.prodStatus)),
            ("ScheduledQuantity", .decimal), ("EstimatedQuantity", .decimal), ("StartedQuantity", .decimal),
            ("RemainingReportAsFinishedQuantity", .decimal), ("ProductionSiteId", .string),
            ("ProductionWarehouseId", .string), ("ProductionPoolId", .string), ("ProductionGroupId", .string),
            ("ProductionOrderPriority", .int32), ("SchedulingMethod", .enumeration(EnumTypes.prodSchedStatus)),
            ("AreRouteJobsGenerated", .enumeration(EnumTypes.noYes)), ("SourceBOMId", .string), ("SourceRouteId", .string),
            ("ScheduledStartDate", .date), ("ScheduledStartTime", .int32), ("ScheduledEndDate", .date),
            ("ScheduledEndTime", .int32), ("DeliveryDate", .date), ("DeliveryTime", .int32),
            ("ReleasedDate", .date), ("StartedDate", .date), ("ReportedAsFinishedDate", .date),
            ("EndedDate", .date),
        ]
    )

    public static let productionOrderRouteOperations = EntityDefinition(
        setName: "ProductionOrderRouteOperations", typeName: "ProductionOrderRouteOperation",
        aotName: "ProdProductionOrderRouteOperationEntity",
        keys: ["dataAreaId", "ProductionOrderNumber", "OperationNumber", "OperationPriority"],
        viewPrivilege: "ProdRouteOperationsEntityView",
        fields: [
            ("dataAreaId", .string), ("ProductionOrderNumber", .string), ("OperationNumber", .int32),
            ("OperationPriority", .enumeration(EnumTypes.routeOprPriority)), ("OperationId", .string),
            ("RouteGroupId", .string), ("NextOperationNumber", .int32),
            ("NextOperationLinkType", .enumeration(EnumTypes.schedJobLinkType)), ("RouteOperationSequence", .int32),
            ("ProcessTime", .decimal), ("SetupTime", .decimal), ("ProcessQuantity", .decimal),
            ("EstimatedOperationQuantity", .decimal), ("OperationsTimeToHourConversionFactor", .decimal),
            ("QueueTimeBefore", .decimal), ("QueueTimeAfter", .decimal), ("TransitTime", .decimal),
            ("ScheduledFromDate", .date), ("ScheduledFromTime", .int32), ("ScheduledEndDate", .date),
            ("ScheduledEndTime", .int32), ("IsOperationStarted", .enumeration(EnumTypes.noYes)),
            ("IsOperationCompleted", .enumeration(EnumTypes.noYes)), ("CostingOperationResourceId", .string),
            ("ProcessCostCategoryId", .string), ("SetupCostCategoryId", .string), ("SetupProductionJobId", .string),
            ("ProcessProductionJobId", .string), ("RouteType", .enumeration(EnumTypes.routeOprType)),
        ]
    )

    public static let productionOrderRouteJobs = EntityDefinition(
        setName: "ProductionOrderRouteJobs", typeName: "ProductionOrderRouteJob", aotName: "ProdProductionOrderRouteJobEntity",
        keys: ["dataAreaId", "JobId"], viewPrivilege: "ProdProductionOrderRouteJobEntityView",
        fields: [
            ("dataAreaId", .string), ("JobId", .string), ("ProductionOrderNumber", .string), ("OperationNumber", .int32),
            ("OperationPriority", .enumeration(EnumTypes.routeOprPriority)),
            ("RouteJobType", .enumeration(EnumTypes.routeJobType)), ("OperationsResourceId", .string),
            ("JobStatus", .enumeration(EnumTypes.prodJobStatus)), ("ScheduledFromDate", .date),
            ("ScheduledFromTime", .int32), ("ScheduledEndDate", .date), ("ScheduledEndTime", .int32),
            ("ScheduledJobDurationHours", .decimal), ("IsJobEnded", .enumeration(EnumTypes.noYes)),
        ]
    )

    public static let operationsResources = EntityDefinition(
        setName: "OperationsResources", typeName: "OperationsResource", aotName: "OpResOperationsResourceEntity",
        keys: ["dataAreaId", "ResourceId"], viewPrivilege: "OpResOperationsResourceEntityView",
        fields: [
            ("dataAreaId", .string), ("ResourceId", .string), ("ResourceName", .string),
            ("OperationsResourceType", .enumeration(EnumTypes.wrkCtrType)), ("RouteGroupId", .string),
            ("Capacity", .decimal), ("EfficiencyPercentage", .decimal), ("IsBottleneckResource", .enumeration(EnumTypes.noYes)),
            ("RuntimeCostCategoryId", .string), ("SetupCostCategoryId", .string), ("ResourceWorkerPersonnelNumber", .string),
            ("MachineNotRespondingThresholdMins", .int32),
        ]
    )

    public static let workers = EntityDefinition(
        setName: "Workers", typeName: "Worker", aotName: "HcmWorkerEntity",
        keys: ["PersonnelNumber"], viewPrivilege: "HcmWorkerEntityView",
        fields: [
            ("PersonnelNumber", .string), ("Name", .string), ("FirstName", .string), ("MiddleName", .string),
            ("LastName", .string), ("KnownAs", .string), ("WorkerType", .enumeration(EnumTypes.hcmWorkerType)),
            ("WorkerStatus", .enumeration(EnumTypes.hcmWorkerStatus)), ("PrimaryContactEmail", .string),
            ("PrimaryContactPhone", .string), ("OriginalHireDateTime", .dateTime), ("TitleId", .string),
            ("OfficeLocation", .string), ("User", .string),
        ]
    )

    /// Released products: a heavy entity in F&O (266 fields); the filler fields make `$select` matter here too.
    public static let releasedProductsV2 = EntityDefinition(
        setName: "ReleasedProductsV2", typeName: "ReleasedProductV2", aotName: "EcoResReleasedProductV2Entity",
        keys: ["dataAreaId", "ItemNumber"], viewPrivilege: "EcoResReleasedProductV2EntityView",
        fields: [
            ("dataAreaId", .string), ("ItemNumber", .string), ("ProductNumber", .string), ("SearchName", .string),
            ("ProductSearchName", .string), ("ProductType", .enumeration(EnumTypes.ecoResProductType)),
            ("ProductSubType", .enumeration(EnumTypes.ecoResProductSubtype)),
            ("ProductionType", .enumeration(EnumTypes.pmfProductType)), ("ProductGroupId", .string),
            ("ItemModelGroupId", .string), ("ProductionPoolId", .string), ("ProductionGroupId", .string),
            ("InventoryUnitSymbol", .string), ("BOMUnitSymbol", .string), ("SalesUnitSymbol", .string),
            ("PurchaseUnitSymbol", .string), ("StorageDimensionGroupName", .string),
            ("TrackingDimensionGroupName", .string), ("ProductDimensionGroupName", .string),
            ("ProductLifecycleStateId", .string), ("NetProductWeight", .decimal), ("GrossProductWeight", .decimal),
            ("UnitCost", .decimal), ("SalesPrice", .decimal), ("PurchasePrice", .decimal), ("DefaultOrderType", .string),
            ("BuyerGroupId", .string), ("CostGroupId", .string), ("SalesTaxItemGroupCode", .string),
            ("PurchaseSalesTaxItemGroupCode", .string), ("CountryOfOrigin", .string), ("HarmonizedSystemCode", .string),
            ("ProductDescription", .string), ("ItemFiscalClassificationCode", .string), ("ApproverPersonnelNumber", .string),
        ]
    )

    /// Fields shared by both production journal line entities; the journal header's fields are on each line.
    private static let journalLineFields: [(String, FieldType)] = [
        ("dataAreaId", .string), ("JournalNumber", .string), ("JournalLineNumber", .decimal), ("JournalName", .string),
        ("JournalDescription", .string), ("ProductionOrderNumber", .string), ("RouteOperationNumber", .int32),
        ("RouteOperationPriority", .enumeration(EnumTypes.routeOprPriority)), ("RouteOperationId", .string),
        ("OperationsResourceId", .string), ("RouteJobType", .enumeration(EnumTypes.routeJobType)),
        ("RegisteredHours", .decimal), ("ReportedGoodInventoryQuantity", .decimal),
        ("ReportedErrorInventoryQuantity", .decimal), ("ErrorCause", .enumeration(EnumTypes.prodErrorCause)),
        ("ConsumptionDate", .date), ("IsOperationCompleted", .enumeration(EnumTypes.noYes)),
        ("IsPosted", .enumeration(EnumTypes.noYes)), ("PostedDateTime", .dateTime), ("PostedUserId", .string),
        ("VoucherNumber", .string), ("ProductionSiteId", .string), ("HoursRouteCostCategoryId", .string),
        ("QuantityRouteCostCategoryId", .string),
    ]

    public static let routeCardJournalEntries = EntityDefinition(
        setName: "RouteCardProductionJournalEntries", typeName: "RouteCardProductionJournalEntry",
        aotName: "ProdRouteCardProductionJournalEntryEntity",
        keys: ["dataAreaId", "JournalNumber", "JournalLineNumber"], viewPrivilege: "ProdRouteCardJournalEntryEntityView",
        maintainPrivilege: "ProdRouteCardJournalEntryEntityMaintain",
        fields: journalLineFields
    )

    public static let jobCardJournalEntries = EntityDefinition(
        setName: "JobCardProductionJournalEntries", typeName: "JobCardProductionJournalEntry",
        aotName: "ProdJobCardProductionJournalEntryEntity",
        keys: ["dataAreaId", "JournalNumber", "JournalLineNumber"], viewPrivilege: "ProdJobCardJournalEntryEntityView",
        maintainPrivilege: "ProdJobCardJournalEntryEntityMaintain",
        fields: journalLineFields + [("ProductionJobId", .string), ("IsJobEnded", .enumeration(EnumTypes.noYes))]
    )

    /// Every entity set, in `$metadata` order.
    public static let all = [
        productionOrderHeaders, productionOrderRouteOperations, productionOrderRouteJobs, operationsResources,
        workers, releasedProductsV2, routeCardJournalEntries, jobCardJournalEntries,
    ]

    /// The entity set named `name`, compared case-sensitively as F&O does.
    public static func named(_ name: String) -> EntityDefinition? { all.first { $0.setName == name } }
}
