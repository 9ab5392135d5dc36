/// The query options of a read on an entity set, checked against the entity the way F&O checks them.
struct CollectionQuery {
    var filterText: String?
    var filter: FilterExpression?
    /// Positions of the selected fields, in `$select` order; `nil` for every field.
    var select: [Int]?
    var top: Int?
    var skip = 0
    var orderBy: [(field: Int, descending: Bool)] = []
    var orderByText = ""
    var count = false
    var crossCompany = false

    init(items: [(name: String, value: String)], entity: EntityDefinition) throws(ODataQueryError) {
        for (name, value) in items {
            switch name {
            case "$filter":
                filterText = value
                filter = try FilterParser.parse(value)
            case "$select":
                select = try value.split(separator: ",").map { raw throws(ODataQueryError) in
                    let field = raw.trimmingCharacters(in: .whitespaces)
                    guard let index = entity.index(of: field) else { throw Self.unknownProperty(field, entity) }
                    return index
                }
            case "$top":
                guard let number = Int(value), number >= 0 else {
                    throw ODataQueryError(
                        message: "Invalid value '\(value)' for $top query option found. The $top query option requires a non-negative integer value.")
                }
                top = number
            case "$skip":
                guard let number = Int(value), number >= 0 else {
                    throw ODataQueryError(
                        message:
                            "Invalid value '\(value)' for $skip query option found. The $skip query option requires a non-negative integer value.")
                }
                skip = number
            case "$orderby":
                orderByText = value
                orderBy = try value.split(separator: ",").map { clause throws(ODataQueryError) in
                    let words = clause.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    guard let field = words.first, let index = entity.index(of: field) else {
                        throw Self.unknownProperty(words.first ?? "", entity)
                    }
                    guard words.count <= 2, words.count == 1 || ["asc", "desc"].contains(words[1]) else {
                        throw ODataQueryError(message: "Syntax error in $orderby '\(value)'.")
                    }
                    return (index, words.count == 2 && words[1] == "desc")
                }
            case "$count":
                guard value == "true" || value == "false" else { throw ODataQueryError(message: "'\(value)' is not a valid count option.") }
                count = value == "true"
            case "cross-company":
                crossCompany = value.lowercased() == "true"
            case "$expand":
                throw Self.unknownProperty(value, entity)
            case "$format", "$search", "$apply", "$compute", "$skiptoken", "$deltatoken", "$levels":
                throw ODataQueryError(message: "The query option '\(name)' is not supported.")
            default:
                // F&O ignores custom query options it does not know.
                continue
            }
        }
    }

    private static func unknownProperty(_ name: String, _ entity: EntityDefinition) -> ODataQueryError {
        ODataQueryError(message: "Could not find a property named '\(name)' on type 'Microsoft.Dynamics.DataEntities.\(entity.typeName)'.")
    }

    /// The key that identifies the set of matching rows (not the page), for caching.
    func matchKey(company: String) -> String {
        "\(crossCompany ? "*" : company)\u{1F}\(filterText ?? "")\u{1F}\(orderByText)"
    }

    /// Positions of the rows that match, in result order.
    func matchingRows(in table: Table, defaultCompany: String) throws(ODataQueryError) -> [Int32] {
        var predicates: [FilterCompiler.Predicate] = []
        let compiler = FilterCompiler(table: table)
        if !crossCompany, table.definition.isCompanySpecific {
            // Without cross-company=true F&O shows only the service user's default company.
            predicates.append(try compiler.compile(.comparison(.field("dataAreaId"), .eq, .literal(.string(defaultCompany)))))
        }
        if let filter { predicates.append(try compiler.compile(filter)) }
        var rows: [Int32] = []
        if let candidates = filter.flatMap({ IndexedLookup.candidates(for: $0, in: table) }) {
            rows = candidates.filter { row in predicates.allSatisfy { $0(Int(row)) } }
        } else {
            switch predicates.count {
            case 0: rows = (0..<Int32(table.count)).map { $0 }
            case 1:
                let predicate = predicates[0]
                for row in 0..<table.count where predicate(row) { rows.append(Int32(row)) }
            default:
                for row in 0..<table.count where predicates.allSatisfy({ $0(row) }) { rows.append(Int32(row)) }
            }
        }
        if !orderBy.isEmpty {
            let order = orderBy
            rows.sort { left, right in
                for clause in order {
                    let comparison = FilterCompiler.order(
                        table.value(row: Int(left), field: clause.field), table.value(row: Int(right), field: clause.field))
                    if comparison != 0 { return clause.descending ? comparison > 0 : comparison < 0 }
                }
                return left < right
            }
        }
        return rows
    }
}
