import Foundation
import Vocabulary

/// A read of one entity set: always `cross-company=true`, an explicit filter, and `$select` where given.
public struct ODataQuery: Sendable, Equatable {
    public var entitySet: EntitySet
    public var filter: String?
    public var select: [String]?
    public var orderBy: String?
    public var top: Int?
    public var skip: Int?

    public init(entitySet: EntitySet, filter: String? = nil, select: [String]? = nil, orderBy: String? = nil, top: Int? = nil, skip: Int? = nil) {
        self.entitySet = entitySet
        self.filter = filter
        self.select = select
        self.orderBy = orderBy
        self.top = top
        self.skip = skip
    }

    /// A read of an entity set the from-ERP pull reads, with the fields it is read with.
    public init(pulling entitySet: EntitySet, filter: String?) {
        self.init(entitySet: entitySet, filter: filter, select: entitySet.pull?.select)
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
        return "\(entitySet.name)?" + items.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes every UTF-8 byte of `text` except ASCII letters, digits and `-._~$',()*:`. Written out by
    /// byte: Foundation's `addingPercentEncoding` cost more than the rest of a page's request on the long
    /// `or`-filters of route operation reads.
    static func escape(_ text: String) -> String {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if isLeftAsIs(byte) {
                escaped.append(byte)
            } else {
                escaped.append(UInt8(ascii: "%"))
                escaped.append(hexDigits[Int(byte >> 4)])
                escaped.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isLeftAsIs(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-._~$',()*:".utf8.contains(byte)
        }
    }
}

/// `$filter` text in the subset F&O supports.
public enum ODataFilter {
    /// `Field eq 'value'`, with quotes in the value doubled.
    public static func equals(_ field: String, _ value: String) -> String {
        // Checked first: Foundation's replacingOccurrences on every key of the route operation reads' `or`-filters took
        // about 1% of a pull's CPU time (perf, 100,000 orders), and keys seldom hold a quote.
        let quoted = value.utf8.contains(UInt8(ascii: "'")) ? value.replacingOccurrences(of: "'", with: "''") : value
        return "\(field) eq '\(quoted)'"
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
