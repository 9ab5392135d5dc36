import Foundation

/// Everything a generated world holds at the start.
struct GeneratedDataSet {
    var tables: [String: Table]
    var tickets: [LaborTicket]
    /// The last journal number used, per legal entity.
    var journalSequence: [String: Int]
    /// The last job number used, per legal entity.
    var jobSequence: [String: Int]
}

/// Builds a realistic, seeded D365 and MachineMetrics world: several legal entities and sites, orders in
/// every status with 1–8 route operations, resources, workers, released products, route jobs, posted
/// feedback journals and pending labor tickets, some of them deliberately unwritable.
struct DataSetGenerator {
    private var random: SeededRandom
    private let options: DataSetOptions
    private let reference: Int64
    private var tables: [String: Table] = Dictionary(uniqueKeysWithValues: Entities.all.map { ($0.setName, Table($0)) })
    private var itemsByCompany: [String: [String]] = [:]
    private var resourcesByGroup: [String: [String: [String]]] = [:]
    private var jobSequence: [String: Int] = [:]
    private var journalSequence: [String: Int] = [:]
    private var workerNumbers: [(number: String, status: String)] = []

    /// The legal entities and sites orders are spread over, with their shares.
    private var placements: [((company: String, site: String), Int)] {
        [
            ((options.legalEntity, options.siteID), 65), ((options.legalEntity, options.siteID == "2" ? "3" : "2"), 15),
            (("ussi", options.siteID), 10), (("dat", options.siteID), 10),
        ]
    }

    init(options: DataSetOptions) {
        self.options = options
        random = SeededRandom(seed: options.seed)
        reference = Int64(options.referenceDate.timeIntervalSince1970)
    }

    static func generate(_ options: DataSetOptions) -> GeneratedDataSet {
        var generator = DataSetGenerator(options: options)
        return generator.run()
    }

    private mutating func run() -> GeneratedDataSet {
        let orderCount = max(4, options.orders)
        let companies = Array(Set(placements.map(\.0.company))).sorted()
        makeWorkers(count: max(30, orderCount / 20))
        for company in companies {
            makeResources(company: company, machinesPerGroup: 2 + orderCount / 4000)
            makeProducts(company: company, count: max(20, orderCount / 8))
        }
        var orderNumbers: [String: Int] = [:]
        var activeOperations: [(company: String, order: String, status: String, operation: [String: Value])] = []
        for _ in 0..<orderCount {
            let placement = random.weighted(placements)
            orderNumbers[placement.company, default: 0] += 1
            let number = "P" + Digits.padded(orderNumbers[placement.company]!, 6)
            let (status, operations) = makeOrder(company: placement.company, site: placement.site, number: number)
            if placement.company == options.legalEntity, placement.site == options.siteID, ["Released", "StartedUp", "Completed"].contains(status) {
                for operation in operations { activeOperations.append((placement.company, number, status, operation)) }
            }
        }
        makeFeedbackJournals(count: max(6, orderCount / 10))
        let tickets = makeTickets(count: options.laborTickets ?? max(12, orderCount / 4), operations: activeOperations)
        return GeneratedDataSet(tables: tables, tickets: tickets, journalSequence: journalSequence, jobSequence: jobSequence)
    }

    // MARK: Master data

    private mutating func makeWorkers(count: Int) {
        for index in 1...count {
            let first = Vocabulary.firstNames.randomElement(using: &random)!
            let last = Vocabulary.lastNames.randomElement(using: &random)!
            // One in ten has left and one in twenty is not hired yet, spread evenly so that every data set has both.
            let status = [7, 17].contains(index % 20) ? "Terminated" : (index % 20 == 13 ? "Pending" : "Employed")
            let number = Digits.padded(index, 6)
            workerNumbers.append((number, status))
            tables["Workers"]!.append([
                "PersonnelNumber": .string(number), "Name": .string("\(first) \(last)"), "FirstName": .string(first),
                "LastName": .string(last), "KnownAs": .string(first),
                "WorkerType": member(EnumTypes.hcmWorkerType, random.chance(90) ? "Employee" : "Contractor"),
                "WorkerStatus": member(EnumTypes.hcmWorkerStatus, status),
                "PrimaryContactEmail": .string("\(first.lowercased()).\(last.lowercased())@contoso.com"),
                "OriginalHireDateTime": .dateTime(reference - Int64(random.next() % 3650) * 86_400),
                "TitleId": .string(random.chance(70) ? "Machine Operator" : "Setup Technician"),
            ])
        }
    }

    private mutating func makeResources(company: String, machinesPerGroup: Int) {
        var serial = 1200
        for route in Vocabulary.routeGroups {
            for machine in 1...machinesPerGroup {
                serial += 1
                let resourceID = String(serial)
                resourcesByGroup[company, default: [:]][route.group, default: []].append(resourceID)
                tables["OperationsResources"]!.append([
                    "dataAreaId": .string(company), "ResourceId": .string(resourceID),
                    "ResourceName": .string("\(route.machine) \(machine)"),
                    "OperationsResourceType": member(EnumTypes.wrkCtrType, "Machine"), "RouteGroupId": .string(route.group),
                    "Capacity": .decimal(whole: 1), "EfficiencyPercentage": .decimal(whole: 100),
                    "RuntimeCostCategoryId": .string("\(route.group)-RUN"), "SetupCostCategoryId": .string("\(route.group)-SET"),
                    "MachineNotRespondingThresholdMins": .integer(10),
                ])
            }
        }
        let extras: [(String, String, String)] = [
            ("OP-01", "Operator pool", "Personnel"), ("GRP-ASSY", "Assembly group", "Group"),
            ("VEND-01", "Outside processing", "Vendor"), ("TOOL-01", "Fixture set A", "Tool"),
        ]
        for (resourceID, name, type) in extras {
            tables["OperationsResources"]!.append([
                "dataAreaId": .string(company), "ResourceId": .string(resourceID), "ResourceName": .string(name),
                "OperationsResourceType": member(EnumTypes.wrkCtrType, type), "RouteGroupId": .string(type == "Group" ? "ASSY" : ""),
                "Capacity": .decimal(whole: 1), "EfficiencyPercentage": .decimal(whole: 100),
            ])
        }
    }

    private mutating func makeProducts(company: String, count: Int) {
        for index in 1...count {
            let item = "D" + Digits.padded(index, 4)
            itemsByCompany[company, default: []].append(item)
            let family = Vocabulary.productFamilies.randomElement(using: &random)!
            let variant = Vocabulary.productVariants.randomElement(using: &random)!
            let unit = random.weighted(Vocabulary.units)
            let hasProductSearchName = random.chance(85)
            tables["ReleasedProductsV2"]!.append([
                "dataAreaId": .string(company), "ItemNumber": .string(item), "ProductNumber": .string(item),
                "SearchName": .string("\(family.uppercased()) \(variant.uppercased())"),
                "ProductSearchName": .string(hasProductSearchName ? "\(family) \(variant)" : ""),
                "ProductType": member(EnumTypes.ecoResProductType, "Item"),
                "ProductSubType": member(EnumTypes.ecoResProductSubtype, "Product"),
                "ProductionType": member(EnumTypes.pmfProductType, "BOM"), "ProductGroupId": .string("FG"),
                "ItemModelGroupId": .string("FIFO"), "ProductionPoolId": .string("01"),
                "InventoryUnitSymbol": .string(unit), "BOMUnitSymbol": .string(unit), "SalesUnitSymbol": .string(unit),
                "PurchaseUnitSymbol": .string(unit), "StorageDimensionGroupName": .string("SiteWH"),
                "TrackingDimensionGroupName": .string("None"), "ProductLifecycleStateId": .string("Active"),
                "NetProductWeight": .decimal(random.decimal(0.1, 40, places: 2)),
                "UnitCost": .decimal(random.decimal(1, 900, places: 2)), "SalesPrice": .decimal(random.decimal(2, 1800, places: 2)),
                "DefaultOrderType": .string("Production"), "CostGroupId": .string("FG"), "CountryOfOrigin": .string("USA"),
                "ProductDescription": .string("\(family) \(variant), made to drawing \(item)-A"),
            ])
        }
    }

    // MARK: Production orders

    private mutating func makeOrder(company: String, site: String, number: String) -> (String, [[String: Value]]) {
        let status = random.weighted([
            ("Created", 5), ("CostEstimated", 3), ("Scheduled", 7), ("Released", 30),
            ("StartedUp", 30), ("ReportedFinished", 10), ("Completed", 15),
        ])
        let item = itemsByCompany[company]!.randomElement(using: &random)!
        let quantity = Int64(random.weighted([(10, 20), (25, 20), (50, 20), (120, 20), (500, 15), (2000, 5)]))
        let start = reference + Int64(Int.random(in: -30...30, using: &random)) * 86_400
        let durationDays = Int64(Int.random(in: 1...10, using: &random))
        let progressed = ["StartedUp", "ReportedFinished", "Completed"].contains(status)
        let released = progressed || status == "Released"
        let jobScheduled = released && random.chance(40)
        let productName = tables["ReleasedProductsV2"]!.string(
            row: tables["ReleasedProductsV2"]!.row(key: [.string(company), .string(item)])!, "ProductSearchName")
        tables["ProductionOrderHeaders"]!.append([
            "dataAreaId": .string(company), "ProductionOrderNumber": .string(number),
            "ProductionOrderName": .string(productName.isEmpty ? item : productName), "ItemNumber": .string(item),
            "ProductionOrderStatus": member(EnumTypes.prodStatus, status),
            "ScheduledQuantity": .decimal(quantity * DecimalText.scale), "EstimatedQuantity": .decimal(quantity * DecimalText.scale),
            "StartedQuantity": .decimal(progressed ? quantity * DecimalText.scale : 0),
            "RemainingReportAsFinishedQuantity": .decimal(status == "Completed" ? 0 : quantity * DecimalText.scale),
            "ProductionSiteId": .string(site), "ProductionWarehouseId": .string("\(site)1"), "ProductionPoolId": .string("01"),
            "ProductionGroupId": .string("PROD"), "ProductionOrderPriority": .integer(Int64(Int.random(in: 0...3, using: &random))),
            "SchedulingMethod": member(EnumTypes.prodSchedStatus, jobScheduled ? "JobScheduled" : (released ? "OperationScheduled" : "None")),
            "AreRouteJobsGenerated": member(EnumTypes.noYes, jobScheduled ? "Yes" : "No"),
            "SourceBOMId": .string("B-\(item)"), "SourceRouteId": .string("R-\(item)"),
            "ScheduledStartDate": day(start), "ScheduledStartTime": .integer(Int64(6 + Int.random(in: 0...8, using: &random)) * 3600),
            "ScheduledEndDate": day(start + durationDays * 86_400), "ScheduledEndTime": .integer(16 * 3600),
            "DeliveryDate": random.chance(90) ? day(start + (durationDays + 2) * 86_400) : .emptyDate,
            "DeliveryTime": .integer(0),
            "ReleasedDate": released ? day(start - 86_400) : .emptyDate,
            "StartedDate": progressed ? day(start) : .emptyDate,
            "ReportedAsFinishedDate": ["ReportedFinished", "Completed"].contains(status) ? day(start + durationDays * 86_400) : .emptyDate,
            "EndedDate": status == "Completed" ? day(start + (durationDays + 1) * 86_400) : .emptyDate,
        ])
        let operations = makeOperations(company: company, order: number, status: status, quantity: quantity, start: start, jobScheduled: jobScheduled)
        return (status, operations)
    }

    private mutating func makeOperations(company: String, order: String, status: String, quantity: Int64, start: Int64, jobScheduled: Bool)
        -> [[String: Value]]
    {
        let count = Int.random(in: 1...8, using: &random)
        let completedCount: Int
        switch status {
        case "ReportedFinished", "Completed": completedCount = count
        case "StartedUp": completedCount = Int.random(in: 0..<count, using: &random)
        default: completedCount = 0
        }
        var made: [[String: Value]] = []
        for position in 0..<count {
            let number = Int64((position + 1) * 10)
            let route = Vocabulary.routeGroups.randomElement(using: &random)!
            let resources = resourcesByGroup[company]![route.group]!
            let resource = random.chance(97) ? resources.randomElement(using: &random)! : ""
            let inHundredths = random.chance(20)
            let setupTime: Int64 = random.chance(25) ? 0 : random.decimal(0.25, 3, places: 2)
            var operation: [String: Value] = [
                "dataAreaId": .string(company), "ProductionOrderNumber": .string(order), "OperationNumber": .integer(number),
                "OperationPriority": member(EnumTypes.routeOprPriority, "Primary"), "OperationId": .string(route.operation),
                "RouteGroupId": .string(route.group), "NextOperationNumber": .integer(position + 1 < count ? number + 10 : 0),
                "NextOperationLinkType": member(EnumTypes.schedJobLinkType, position + 1 < count ? "Soft" : "None"),
                "RouteOperationSequence": .integer(Int64(position + 1)),
                "ProcessTime": .decimal(inHundredths ? random.decimal(1, 300, places: 0) : random.decimal(0.01, 2.5, places: 2)),
                "SetupTime": .decimal(inHundredths ? setupTime * 100 : setupTime),
                "ProcessQuantity": .decimal(random.weighted([(Int64(1), 70), (Int64(10), 20), (Int64(0), 10)]) * DecimalText.scale),
                "EstimatedOperationQuantity": .decimal(quantity * DecimalText.scale),
                "OperationsTimeToHourConversionFactor": .decimal(inHundredths ? 10_000 : DecimalText.scale),
                "QueueTimeBefore": .decimal(0), "QueueTimeAfter": .decimal(0), "TransitTime": .decimal(0),
                "ScheduledFromDate": day(start + Int64(position) * 86_400 / 2), "ScheduledFromTime": .integer(8 * 3600),
                "ScheduledEndDate": day(start + Int64(position + 1) * 86_400 / 2), "ScheduledEndTime": .integer(16 * 3600),
                "IsOperationStarted": member(
                    EnumTypes.noYes,
                    position <= completedCount && status != "Released" && ["StartedUp", "ReportedFinished", "Completed"].contains(status)
                        ? "Yes" : "No"),
                "IsOperationCompleted": member(EnumTypes.noYes, position < completedCount ? "Yes" : "No"),
                "CostingOperationResourceId": .string(resource), "ProcessCostCategoryId": .string("\(route.group)-RUN"),
                "SetupCostCategoryId": .string("\(route.group)-SET"), "RouteType": member(EnumTypes.routeOprType, "Standard"),
            ]
            if jobScheduled {
                if setupTime > 0 {
                    operation["SetupProductionJobId"] = .string(
                        makeJob(
                            company: company, order: order, operation: number, priority: "Primary", type: "Setup", resource: resource, start: start))
                }
                operation["ProcessProductionJobId"] = .string(
                    makeJob(company: company, order: order, operation: number, priority: "Primary", type: "Process", resource: resource, start: start)
                )
            }
            tables["ProductionOrderRouteOperations"]!.append(operation)
            made.append(operation)
            if random.chance(4) {
                // A secondary resource working the same operation number in parallel.
                var secondary = operation
                secondary["OperationPriority"] = member(EnumTypes.routeOprPriority, "Secondary1")
                secondary["CostingOperationResourceId"] = .string(resources.randomElement(using: &random)!)
                secondary["SetupProductionJobId"] = .string("")
                secondary["ProcessProductionJobId"] = .string(
                    jobScheduled
                        ? makeJob(
                            company: company, order: order, operation: number, priority: "Secondary1", type: "Process", resource: resource,
                            start: start) : "")
                tables["ProductionOrderRouteOperations"]!.append(secondary)
                made.append(secondary)
            }
        }
        return made
    }

    private mutating func makeJob(company: String, order: String, operation: Int64, priority: String, type: String, resource: String, start: Int64)
        -> String
    {
        jobSequence[company, default: 0] += 1
        let jobID = "J" + Digits.padded(jobSequence[company]!, 8)
        tables["ProductionOrderRouteJobs"]!.append([
            "dataAreaId": .string(company), "JobId": .string(jobID), "ProductionOrderNumber": .string(order),
            "OperationNumber": .integer(operation), "OperationPriority": member(EnumTypes.routeOprPriority, priority),
            "RouteJobType": member(EnumTypes.routeJobType, type), "OperationsResourceId": .string(resource),
            "JobStatus": member(EnumTypes.prodJobStatus, "Waiting"), "ScheduledFromDate": day(start),
            "ScheduledFromTime": .integer(8 * 3600), "ScheduledEndDate": day(start), "ScheduledEndTime": .integer(16 * 3600),
            "ScheduledJobDurationHours": .decimal(random.decimal(0.25, 8, places: 2)),
        ])
        return jobID
    }

    // MARK: Journals and labor tickets

    /// Posted route card feedback entered in D365 itself (not by the connector), for the labor import.
    private mutating func makeFeedbackJournals(count: Int) {
        let operations = tables["ProductionOrderRouteOperations"]!
        let orders = tables["ProductionOrderHeaders"]!
        guard operations.count > 0 else { return }
        for _ in 0..<count {
            let row = Int.random(in: 0..<operations.count, using: &random)
            let company = operations.string(row: row, "dataAreaId")
            let order = operations.string(row: row, "ProductionOrderNumber")
            let orderRow = orders.row(key: [.string(company), .string(order)])!
            journalSequence[company, default: 0] += 1
            let journal = "JN-" + Digits.padded(journalSequence[company]!, 6)
            let posted = random.chance(80)
            let dayStart = reference - Int64(Int.random(in: 1...30, using: &random)) * 86_400
            tables["RouteCardProductionJournalEntries"]!.append([
                "dataAreaId": .string(company), "JournalNumber": .string(journal), "JournalLineNumber": .decimal(whole: 1),
                "JournalName": .string("Route"), "JournalDescription": .string(random.chance(50) ? "Shift feedback" : "Route card"),
                "ProductionOrderNumber": .string(order), "RouteOperationNumber": operations.value(row: row, "OperationNumber"),
                "RouteOperationPriority": operations.value(row: row, "OperationPriority"),
                "RouteOperationId": operations.value(row: row, "OperationId"),
                "OperationsResourceId": operations.value(row: row, "CostingOperationResourceId"),
                "RouteJobType": member(EnumTypes.routeJobType, "Process"),
                "RegisteredHours": .decimal(random.decimal(0.25, 8, places: 2)),
                "ReportedGoodInventoryQuantity": .decimal(random.decimal(1, 100, places: 0)),
                "ReportedErrorInventoryQuantity": .decimal(random.chance(20) ? random.decimal(1, 5, places: 0) : 0),
                "ConsumptionDate": day(dayStart), "IsPosted": member(EnumTypes.noYes, posted ? "Yes" : "No"),
                "PostedDateTime": posted ? .dateTime(dayStart + 15 * 3600 + Int64(Int.random(in: 0...7200, using: &random))) : .emptyDate,
                "PostedUserId": .string(posted ? "admin" : ""), "VoucherNumber": .string(posted ? "PRD-\(journalSequence[company]!)" : ""),
                "ProductionSiteId": orders.value(row: orderRow, "ProductionSiteId"),
            ])
        }
    }

    private mutating func makeTickets(count: Int, operations: [(company: String, order: String, status: String, operation: [String: Value])])
        -> [LaborTicket]
    {
        let employed = workerNumbers.filter { $0.status == "Employed" }.map(\.number)
        let terminated = workerNumbers.first { $0.status == "Terminated" }?.number ?? "999998"
        let open = operations.filter { $0.status != "Completed" }
        let closedOrders = operations.filter { $0.status == "Completed" }
        guard !open.isEmpty, count > 0 else { return [] }
        var tickets: [LaborTicket] = []
        for index in 0..<count {
            let pick = open.randomElement(using: &random)!
            let operation = pick.operation
            guard case .integer(let sequence) = operation["OperationNumber"]!, case .member(let priority) = operation["OperationPriority"]!,
                case .decimal(let setupTime) = operation["SetupTime"]!
            else { continue }
            let end = reference - Int64(Int.random(in: 600...(3 * 86_400), using: &random))
            let duration = Int64(Int.random(in: 5...480, using: &random)) * 60
            let bad: Int64 = random.chance(15) ? Int64(Int.random(in: 1...4, using: &random)) * DecimalText.scale : 0
            var ticket = LaborTicket(
                id: "lt_" + Self.ticketID(seed: options.seed, index: index), revision: 1, workOrderNumber: pick.order,
                dataAreaId: random.chance(10) ? pick.company.uppercased() : pick.company, operationSequence: Int(sequence),
                operationPriority: EnumTypes.routeOprPriority.members[priority].name,
                resourceId: random.chance(30) ? resourceID(of: operation) : nil,
                personnelNumber: employed.randomElement(using: &random), kind: setupTime > 0 && random.chance(20) ? "setup" : "production",
                startAt: end - duration, endAt: end, goodQuantity: Int64(Int.random(in: 0...60, using: &random)) * DecimalText.scale,
                badQuantity: bad, scrapReasonCode: bad > 0 ? ["material", "Machine", "OPERATOR", "other"].randomElement(using: &random) : nil,
                operationCompleted: random.chance(10), closed: true
            )
            // About one ticket in twelve cannot be written, for a reason the connector must name.
            if index % 12 == 5 {
                switch index / 12 % 6 {
                case 0: ticket.workOrderNumber = "P9" + Digits.padded(index, 5)
                case 1: ticket.operationSequence = 990
                case 2: ticket.personnelNumber = terminated
                case 3: ticket.personnelNumber = nil
                case 4: ticket.dataAreaId = "ussi"
                default:
                    if let closedOrder = closedOrders.randomElement(using: &random) {
                        ticket.workOrderNumber = closedOrder.order
                        if case .integer(let closedSequence) = closedOrder.operation["OperationNumber"]! {
                            ticket.operationSequence = Int(closedSequence)
                        }
                        ticket.operationPriority = "Primary"
                    } else {
                        ticket.resourceId = "NO-SUCH-RES"
                    }
                }
            } else if index % 12 == 11 {
                ticket.closed = false  // still running on the shop floor: never offered to the ERP
            }
            tickets.append(ticket)
        }
        return tickets.sorted { $0.id < $1.id }
    }

    private func resourceID(of operation: [String: Value]) -> String? {
        if case .string(let resource)? = operation["CostingOperationResourceId"], !resource.isEmpty { return resource }
        return nil
    }

    /// A 26-character ULID-like identifier, unique per index and seed.
    private static func ticketID(seed: UInt64, index: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var generator = SeededRandom(seed: seed &+ UInt64(index) &* 7919)
        let prefix = "01J" + Digits.padded(index, 7)
        return prefix + String((0..<(26 - prefix.count)).map { _ in alphabet[Int(generator.next() % 32)] })
    }

    /// A date-only field: F&O shows it at 12:00 UTC of its day.
    private func day(_ midnight: Int64) -> Value { .dateTime(midnight - midnight % 86_400 + 43_200) }

    private func member(_ type: EnumType, _ name: String) -> Value {
        .member(type.index(of: name)!)
    }
}
