import Foundation

/// F&O's OData service under `/data/`.
extension SimulatorCore {
    func handleData(_ request: SimulatedRequest) -> SimulatedResponse {
        let authorized = store.withLock { store in
            store.entra.accepts(authorization: request.header("Authorization"), d365Audience: base.lowercased(), now: Date())
        }
        guard authorized else {
            // F&O answers an unusable token with a bare 401: no body to explain which check failed.
            return SimulatedResponse(status: 401, headers: [("WWW-Authenticate", "Bearer")])
        }
        let resource = request.path == "/data" ? "" : String(request.path.dropFirst("/data/".count))
        return dispatch(
            method: request.method, resource: resource.removingPercentEncoding ?? resource, query: request.query,
            headers: request.headers, body: request.body)
    }

    /// Handles one OData operation; `$batch` parts come through here too.
    func dispatch(method: String, resource: String, query: String, headers: [(name: String, value: String)], body: [UInt8]) -> SimulatedResponse {
        switch resource {
        case "", "/":
            return serviceDocument()
        case "$metadata":
            let action = store.withLock { $0.postingAction }
            return SimulatedResponse(
                status: 200, headers: [("Content-Type", "application/xml"), ("OData-Version", "4.0")],
                body: Array(MetadataDocument.xml(postingAction: action).utf8))
        case "$batch":
            guard method == "POST" else {
                return ODataErrorBody.response(405, message: "The requested resource does not support http method '\(method)'.")
            }
            return handleBatch(headers: headers, body: body)
        default:
            break
        }
        let setName = String(resource.prefix { $0 != "(" && $0 != "/" })
        guard let entity = Entities.named(setName) else { return ODataErrorBody.notFound("\(base)/data/\(resource)") }
        let rest = String(resource.dropFirst(setName.count))
        let missing = store.withLock { $0.missingPrivileges }
        if rest.hasPrefix("/Microsoft.Dynamics.DataEntities.") {
            guard method == "POST" else {
                return ODataErrorBody.response(405, message: "The requested resource does not support http method '\(method)'.")
            }
            return postJournal(entity: entity, action: String(rest.dropFirst("/Microsoft.Dynamics.DataEntities.".count)), body: body)
        }
        switch method {
        case "GET":
            if missing.contains(entity.viewPrivilege) {
                return ODataErrorBody.forbidden(entity: entity, privilege: entity.viewPrivilege, write: false)
            }
            let items = FormEncoding.decode(query)
            if rest == "/$count" { return count(entity: entity, items: items) }
            if rest.hasPrefix("(") && rest.hasSuffix(")") { return readByKey(entity: entity, key: rest, items: items) }
            guard rest.isEmpty else { return ODataErrorBody.notFound("\(base)/data/\(resource)") }
            return readCollection(entity: entity, items: items)
        case "POST":
            guard rest.isEmpty else { return ODataErrorBody.notFound("\(base)/data/\(resource)") }
            return createJournalLine(entity: entity, body: body)
        default:
            return ODataErrorBody.response(405, message: "The requested resource does not support http method '\(method)'.")
        }
    }

    private func serviceDocument() -> SimulatedResponse {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("@odata.context")
        writer.string("\(base)/data/$metadata")
        writer.key("value")
        writer.beginArray()
        for entity in Entities.all {
            writer.beginObject()
            writer.key("name")
            writer.string(entity.setName)
            writer.key("kind")
            writer.string("EntitySet")
            writer.key("url")
            writer.string(entity.setName)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return .odata(200, writer.bytes)
    }

    private func readCollection(entity: EntityDefinition, items: [(name: String, value: String)]) -> SimulatedResponse {
        let (table, pageSize) = store.withLock { ($0.tables[entity.setName]!, $0.pageSize) }
        let query: CollectionQuery
        let rows: [Int32]
        do {
            query = try CollectionQuery(items: items, entity: entity)
            rows = try matchingRows(query, table: table)
        } catch {
            return ODataErrorBody.badQuery(error)
        }
        let start = min(query.skip, rows.count)
        let end = query.top.map { min(rows.count, start + $0) } ?? rows.count
        let pageEnd = min(end, start + pageSize)
        var nextLink: String?
        if pageEnd < end {
            var kept = items.filter { $0.name != "$skip" && $0.name != "$top" }
            kept.append(("$skip", String(pageEnd)))
            if let top = query.top { kept.append(("$top", String(top - (pageEnd - start)))) }
            nextLink =
                "\(base)/data/\(entity.setName)?"
                + kept.map { "\(FormEncoding.escape($0.name))=\(FormEncoding.escape($0.value))" }.joined(separator: "&")
        }
        let body = PageWriter(baseURL: base, table: table)
            .page(rows: rows[start..<pageEnd], select: query.select, count: query.count ? rows.count : nil, nextLink: nextLink)
        return .odata(200, body)
    }

    private func count(entity: EntityDefinition, items: [(name: String, value: String)]) -> SimulatedResponse {
        let table = store.withLock { $0.tables[entity.setName]! }
        do {
            let query = try CollectionQuery(items: items.filter { $0.name == "$filter" || $0.name == "cross-company" }, entity: entity)
            return .text(200, String(try matchingRows(query, table: table).count))
        } catch {
            return ODataErrorBody.badQuery(error)
        }
    }

    private func readByKey(entity: EntityDefinition, key: String, items: [(name: String, value: String)]) -> SimulatedResponse {
        let table = store.withLock { $0.tables[entity.setName]! }
        let values: [Value]
        let query: CollectionQuery
        do {
            values = try KeySegment.parse(key, entity: entity)
            query = try CollectionQuery(items: items, entity: entity)
        } catch {
            return ODataErrorBody.badQuery(error)
        }
        let crossCompany = items.contains { $0.name == "cross-company" && $0.value.lowercased() == "true" }
        guard let row = table.row(key: values),
            crossCompany || !entity.isCompanySpecific || table.string(row: row, "dataAreaId").lowercased() == defaultCompany.lowercased()
        else {
            return ODataErrorBody.response(404, message: "Resource not found for the segment '\(entity.setName)'.")
        }
        return .odata(200, PageWriter(baseURL: base, table: table).single(row: row, select: query.select))
    }

    /// The rows a query matches, from the cache when the table has not changed since.
    private func matchingRows(_ query: CollectionQuery, table: Table) throws(ODataQueryError) -> [Int32] {
        let cacheKey = table.definition.setName + "\u{1E}" + query.matchKey(company: defaultCompany)
        if let cached = queryCache.withLock({ $0[cacheKey] }), cached.version == table.version {
            return cached.rows
        }
        let rows = try query.matchingRows(in: table, defaultCompany: defaultCompany)
        queryCache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[cacheKey] = (table.version, rows)
        }
        return rows
    }
}
