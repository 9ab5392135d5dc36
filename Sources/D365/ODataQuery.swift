import Foundation

/// A read of one entity set: always `cross-company=true`, an explicit filter, and `$select` where given.
public struct ODataQuery: Sendable, Equatable {
    public var entitySet: String
    public var filter: String?
    public var select: [String]?
    public var orderBy: String?
    public var top: Int?
    public var skip: Int?

    public init(entitySet: String, filter: String? = nil, select: [String]? = nil, orderBy: String? = nil, top: Int? = nil, skip: Int? = nil) {
        self.entitySet = entitySet
        self.filter = filter
        self.select = select
        self.orderBy = orderBy
        self.top = top
        self.skip = skip
    }

    /// The query's URL under `environmentURL`.
    public func url(environmentURL: String) -> String {
        "\(environmentURL)/data/\(relativeURL)"
    }

    /// The query's URL relative to the service root `/data/`, as a `$batch` part names it.
    public var relativeURL: String {
        var items = [("cross-company", "true")]
        if let filter { items.append(("$filter", filter)) }
        if let select { items.append(("$select", select.joined(separator: ","))) }
        if let orderBy { items.append(("$orderby", orderBy)) }
        if let top { items.append(("$top", String(top))) }
        if let skip { items.append(("$skip", String(skip))) }
        return "\(entitySet)?" + items.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$',()*:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// `$filter` text in the subset F&O supports.
public enum ODataFilter {
    /// `Field eq 'value'`, with quotes in the value doubled.
    public static func equals(_ field: String, _ value: String) -> String {
        "\(field) eq '\(value.replacingOccurrences(of: "'", with: "''"))'"
    }

    /// `Field eq Microsoft.Dynamics.DataEntities.Type'Member'`: F&O compares enums only with the qualified literal.
    public static func equals(_ field: String, enumType: String, member: String) -> String {
        "\(field) eq Microsoft.Dynamics.DataEntities.\(enumType)'\(member)'"
    }

    /// `(a or b or …)`: F&O has no `in`.
    public static func anyOf(_ clauses: [String]) -> String {
        clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: " or ") + ")"
    }

    /// `(Field eq 'a' or Field eq 'b' …)`: a chunk of keys.
    public static func equalsAny(_ field: String, _ values: [String]) -> String {
        anyOf(values.map { equals(field, $0) })
    }

    public static func allOf(_ clauses: [String]) -> String {
        clauses.joined(separator: " and ")
    }
}
