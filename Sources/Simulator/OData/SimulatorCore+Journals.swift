import Foundation

/// Writing route card and job card journal lines, and posting journals, with F&O's validation.
extension SimulatorCore {
    func createJournalLine(entity: EntityDefinition, body: [UInt8]) -> SimulatedResponse {
        store.withLock { store in
            let missing = store.missingPrivileges
            return createJournalLine(
                entity: entity, body: body, tables: &store.tables, journalSequence: &store.journalSequence, missingPrivileges: missing)
        }
    }

    /// Validates and appends one line; on failure `tables` and `journalSequence` are left as they were.
    func createJournalLine(
        entity: EntityDefinition, body: [UInt8], tables: inout [String: Table], journalSequence: inout [String: Int],
        missingPrivileges: Set<String>
    ) -> SimulatedResponse {
        guard let privilege = entity.maintainPrivilege else {
            return ODataErrorBody.response(405, message: "The entity set '\(entity.setName)' is read-only.")
        }
        if missingPrivileges.contains(privilege) {
            return ODataErrorBody.forbidden(entity: entity, privilege: privilege, write: true)
        }
        var values: [String: Value]
        switch Self.lineValues(entity: entity, body: body) {
        case .success(let decoded): values = decoded
        case .failure(let refusal): return refusal.response
        }
        // Without dataAreaId, F&O writes into the service user's default company.
        let company = (values["dataAreaId"].flatMap { if case .string(let text) = $0, !text.isEmpty { text } else { nil } } ?? defaultCompany)
            .lowercased()
        values["dataAreaId"] = .string(company)
        var infolog = Self.checkReferences(&values, entity: entity, company: company, tables: tables)
        if case .dateTime(DecimalText.emptyDateSeconds)? = values["ConsumptionDate"] ?? .emptyDate {
            values["ConsumptionDate"] = .dateTime(Int64(DataSetOptions.todayUTC().timeIntervalSince1970) + 12 * 3600)
        }
        // Posting state is F&O's to set.
        values["IsPosted"] = .member(0)
        values["PostedDateTime"] = .emptyDate
        values["PostedUserId"] = .string("")
        values["VoucherNumber"] = .string("")
        let opensJournal = Self.placeInJournal(&values, entity: entity, company: company, table: tables[entity.setName]!, infolog: &infolog)
        guard infolog.isEmpty else { return ODataErrorBody.writeFailed(entity: entity, infolog: infolog) }
        if opensJournal {
            journalSequence[company, default: 0] += 1
            values["JournalNumber"] = .string("JN-" + Digits.padded(journalSequence[company]!, 6))
        }
        // Appended in place: a copy of the table here would copy every column on every write.
        let row = tables[entity.setName]!.append(values)
        let written = tables[entity.setName]!
        let location =
            "\(base)/data/\(entity.setName)(dataAreaId='\(company)',JournalNumber='\(Self.text(values["JournalNumber"]))',JournalLineNumber=\(DecimalText.string(Self.decimal(values["JournalLineNumber"]))))"
        var created = SimulatedResponse.odata(201, PageWriter(baseURL: base, table: written).single(row: row))
        created.headers += [("Location", location), ("OData-EntityId", location)]
        return created
    }

    /// An OData refusal of a request body.
    struct BodyRefusal: Error {
        let response: SimulatedResponse
    }

    /// The line's fields as `entity` types them, or OData's refusal of a body that is not one.
    private static func lineValues(entity: EntityDefinition, body: [UInt8]) -> Result<[String: Value], BodyRefusal> {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return .failure(BodyRefusal(response: ODataErrorBody.response(400, message: "The request body is not a valid JSON object.")))
        }
        var values: [String: Value] = [:]
        for (name, raw) in object where !name.hasPrefix("@odata.") {
            guard let index = entity.index(of: name) else {
                return .failure(
                    BodyRefusal(
                        response: ODataErrorBody.response(
                            400,
                            message:
                                "The property '\(name)' does not exist on type 'Microsoft.Dynamics.DataEntities.\(entity.typeName)'. Make sure to only use property names that are defined by the type."
                        )))
            }
            guard let value = convert(raw, to: entity.fields[index].type) else {
                return .failure(
                    BodyRefusal(
                        response: ODataErrorBody.response(
                            400,
                            message:
                                "Cannot convert the literal '\(raw)' to the expected type '\(entity.fields[index].type.edmName)' of property '\(name)'."
                        )))
            }
            values[name] = value
        }
        return .success(values)
    }

    /// F&O's checks of what the line points at (order and its status, operation, resource, job), as Infolog lines;
    /// fills in what F&O takes from them (site, resource, operation id, job type).
    private static func checkReferences(_ values: inout [String: Value], entity: EntityDefinition, company: String, tables: [String: Table])
        -> [String]
    {
        var infolog: [String] = []
        let orders = tables["ProductionOrderHeaders"]!
        let operations = tables["ProductionOrderRouteOperations"]!
        let order = text(values["ProductionOrderNumber"])
        let operationNumber: Int64 =
            values["RouteOperationNumber"].flatMap { value -> Int64? in if case .integer(let number) = value { number } else { nil } } ?? 0
        let priority = values["RouteOperationPriority"] ?? .member(0)
        var operationRow: Int?
        if order.isEmpty {
            infolog.append("Field 'Production' must be filled in.")
        } else if let orderRow = orders.row(key: [.string(company), .string(order)]) {
            let status = orders.value(row: orderRow, "ProductionOrderStatus")
            let statusName: String = if case .member(let position) = status { EnumTypes.prodStatus.members[position].name } else { "" }
            if statusName == "Completed" {
                infolog.append("Production order \(order) is ended. Journals cannot be registered for ended production orders.")
            } else if !["Released", "StartedUp", "ReportedFinished"].contains(statusName) {
                infolog.append("Production order \(order) has status \(statusName). It must be released before feedback can be registered.")
            }
            values["ProductionSiteId"] = orders.value(row: orderRow, "ProductionSiteId")
            operationRow = operations.row(key: [.string(company), .string(order), .integer(operationNumber), priority])
            if operationRow == nil {
                infolog.append("Operation \(operationNumber) does not exist on production order \(order).")
            }
        } else {
            infolog.append("Production order \(order) does not exist.")
        }
        let resource = text(values["OperationsResourceId"])
        if !resource.isEmpty {
            if tables["OperationsResources"]!.row(key: [.string(company), .string(resource)]) == nil {
                infolog.append("Resource \(resource) does not exist.")
            }
        } else if let operationRow {
            values["OperationsResourceId"] = operations.value(row: operationRow, "CostingOperationResourceId")
        }
        if let operationRow { values["RouteOperationId"] = operations.value(row: operationRow, "OperationId") }
        if entity.setName == Entities.jobCardJournalEntries.setName {
            let job = text(values["ProductionJobId"])
            let jobs = tables["ProductionOrderRouteJobs"]!
            if job.isEmpty {
                infolog.append("Field 'Job identification' must be filled in.")
            } else if let jobRow = jobs.row(key: [.string(company), .string(job)]) {
                if jobs.string(row: jobRow, "ProductionOrderNumber").lowercased() != order.lowercased()
                    || jobs.value(row: jobRow, "OperationNumber") != .integer(operationNumber)
                {
                    infolog.append("Job \(job) does not belong to operation \(operationNumber) of production order \(order).")
                }
                values["RouteJobType"] = jobs.value(row: jobRow, "RouteJobType")
            } else {
                infolog.append("Job \(job) does not exist.")
            }
        }
        return infolog
    }

    /// Gives the line its place: line 1 of a new journal (whose number is drawn once the line is valid), or the line
    /// after the last of the journal it names, which must exist and be unposted. Returns whether it opens a journal.
    private static func placeInJournal(
        _ values: inout [String: Value], entity: EntityDefinition, company: String, table: Table, infolog: inout [String]
    ) -> Bool {
        let journal = text(values["JournalNumber"])
        guard !journal.isEmpty else {
            values["JournalLineNumber"] = .decimal(whole: 1)
            if values["JournalName"] == nil { values["JournalName"] = .string(entity.setName.hasPrefix("Job") ? "JobCard" : "Route") }
            return true
        }
        let lines = (0..<table.count).filter {
            table.string(row: $0, "dataAreaId") == company && table.string(row: $0, "JournalNumber").lowercased() == journal.lowercased()
        }
        if lines.isEmpty {
            infolog.append("Journal \(journal) does not exist in company \(company).")
        } else if lines.contains(where: { table.value(row: $0, "IsPosted") == .member(1) }) {
            infolog.append("Journal \(journal) has been posted and cannot be changed.")
        }
        let highest =
            lines.compactMap { row -> Int64? in if case .decimal(let number) = table.value(row: row, "JournalLineNumber") { number } else { nil } }
            .max() ?? 0
        values["JournalLineNumber"] = .decimal((highest / DecimalText.scale + 1) * DecimalText.scale)
        if let first = lines.first {
            values["JournalName"] = table.value(row: first, "JournalName")
            values["JournalDescription"] = table.value(row: first, "JournalDescription")
        }
        return false
    }

    /// The posting action: `POST /data/{Set}/Microsoft.Dynamics.DataEntities.{Action}` with `{"dataAreaId", "JournalNumber"}`.
    func postJournal(entity: EntityDefinition, action: String, body: [UInt8]) -> SimulatedResponse {
        store.withLock { store in
            guard let configured = store.postingAction, configured == action, entity.maintainPrivilege != nil else {
                return ODataErrorBody.notFound("\(base)/data/\(entity.setName)/Microsoft.Dynamics.DataEntities.\(action)")
            }
            if store.missingPrivileges.contains(entity.maintainPrivilege!) {
                return ODataErrorBody.forbidden(entity: entity, privilege: entity.maintainPrivilege!, write: true)
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
                let journal = object["JournalNumber"] as? String
            else {
                return ODataErrorBody.response(400, message: "The parameter 'JournalNumber' is missing from the action's body.")
            }
            let company = ((object["dataAreaId"] as? String) ?? defaultCompany).lowercased()
            // Edited in place: a copy of the table per journal made posting thousands of journals quadratic.
            let lines = store.tables[entity.setName]!.rows(where: entity.index(of: "JournalNumber")!, equals: journal).map(Int.init).filter {
                store.tables[entity.setName]!.string(row: $0, "dataAreaId") == company
            }
            guard !lines.isEmpty else {
                return ODataErrorBody.response(
                    500, message: "An error has occurred.", innerMessage: "Journal \(journal) does not exist in company \(company).",
                    innerType: "Microsoft.Dynamics.Ax.Xpp.ErrorException")
            }
            guard !lines.contains(where: { store.tables[entity.setName]!.value(row: $0, "IsPosted") == .member(1) }) else {
                return ODataErrorBody.response(
                    500, message: "An error has occurred.", innerMessage: "Journal \(journal) has already been posted.",
                    innerType: "Microsoft.Dynamics.Ax.Xpp.ErrorException")
            }
            Self.markPosted(lines, in: &store.tables[entity.setName]!, user: "mm-integration", voucher: "PRD-\(journal)")
            return SimulatedResponse(status: 204, headers: [("OData-Version", "4.0")])
        }
    }

    /// D365's batch posting job: posts every unposted journal of both journal entities. Returns how many lines it posted.
    @discardableResult
    func runBatchPosting() -> Int {
        store.withLock { store in
            var posted = 0
            for entity in [Entities.routeCardJournalEntries, Entities.jobCardJournalEntries] {
                var table = store.tables[entity.setName]!
                let lines = (0..<table.count).filter { table.value(row: $0, "IsPosted") == .member(0) }
                for row in lines {
                    Self.markPosted([row], in: &table, user: "batch", voucher: "PRD-\(table.string(row: row, "JournalNumber"))")
                }
                posted += lines.count
                store.tables[entity.setName] = table
            }
            return posted
        }
    }

    private static func markPosted(_ rows: [Int], in table: inout Table, user: String, voucher: String) {
        let now = Int64(Date().timeIntervalSince1970)
        let definition = table.definition
        for row in rows {
            table.set(row: row, field: definition.index(of: "IsPosted")!, to: .member(1))
            table.set(row: row, field: definition.index(of: "PostedDateTime")!, to: .dateTime(now))
            table.set(row: row, field: definition.index(of: "PostedUserId")!, to: .string(user))
            table.set(row: row, field: definition.index(of: "VoucherNumber")!, to: .string(voucher))
        }
    }

    /// A JSON value from a request body as a stored value of `type`; `nil` when it does not fit.
    static func convert(_ raw: Any, to type: FieldType) -> Value? {
        // On Linux a JSON 0 or 1 also casts to Bool; only a real JSON true or false is a Bool.
        let isBoolean = Swift.type(of: raw) == Bool.self
        switch type {
        case .string:
            return (raw as? String).map(Value.string)
        case .int32, .int64:
            if let number = raw as? NSNumber, !isBoolean, number.doubleValue == number.doubleValue.rounded() { return .integer(number.int64Value) }
            return nil
        case .decimal:
            if let text = raw as? String { return Value.decimal(text) }
            if let number = raw as? NSNumber, !isBoolean { return .decimal(DecimalText.fromDouble(number.doubleValue)) }
            return nil
        case .dateTime, .date:
            return (raw as? String).flatMap(DecimalText.parseDate).map(Value.dateTime)
        case .enumeration(let enumType):
            return (raw as? String).flatMap(enumType.index(of:)).map(Value.member)
        }
    }

    static func text(_ value: Value?) -> String {
        if case .string(let text)? = value { return text }
        return ""
    }

    static func decimal(_ value: Value?) -> Int64 {
        if case .decimal(let number)? = value { return number }
        return 0
    }
}
