/// Finds, for a `$filter`, the rows a lookup index can narrow it to, as SQL Server's query plans do for F&O:
/// a conjunct that is an `or` of `eq` comparisons on one indexed field (the connector's chunks of keys) needs
/// only those rows checked, not the whole table.
enum IndexedLookup {
    /// Ascending candidate rows that every match is among, or `nil` when the filter has no indexable conjunct.
    static func candidates(for filter: FilterExpression, in table: Table) -> [Int32]? {
        for conjunct in conjuncts(of: filter) {
            guard let (field, values) = equalities(in: conjunct), let index = table.definition.index(of: field),
                table.hasLookupIndex(on: index)
            else { continue }
            var rows = Set<Int32>()
            for value in values { rows.formUnion(table.rows(where: index, equals: value)) }
            return rows.sorted()
        }
        return nil
    }

    private static func conjuncts(of filter: FilterExpression) -> [FilterExpression] {
        if case .and(let left, let right) = filter { return conjuncts(of: left) + conjuncts(of: right) }
        return [filter]
    }

    /// The field and values of `field eq 'a' or field eq 'b' …`; `nil` for anything else, wildcards included.
    private static func equalities(in expression: FilterExpression) -> (field: String, values: [String])? {
        switch expression {
        case .or(let left, let right):
            guard let first = equalities(in: left), let second = equalities(in: right), first.field == second.field else { return nil }
            return (first.field, first.values + second.values)
        case .comparison(.field(let field), .eq, .literal(.string(let value))), .comparison(.literal(.string(let value)), .eq, .field(let field)):
            return value.contains("*") ? nil : (field, [value])
        default:
            return nil
        }
    }
}
