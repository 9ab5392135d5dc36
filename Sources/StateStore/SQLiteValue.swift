/// A value bound to, or read from, an SQLite statement.
public enum SQLiteValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value as an integer, if it is one.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as a floating-point number, if it is a number.
    public var real: Double? {
        switch self {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// The value as text, if it is text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}

extension SQLiteValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLiteValue {
    /// Text, or `NULL` when the string is absent.
    public init(_ text: String?) { self = text.map(SQLiteValue.text) ?? .null }
    /// An integer, or `NULL` when it is absent.
    public init(_ integer: Int?) { self = integer.map { .integer(Int64($0)) } ?? .null }
}
