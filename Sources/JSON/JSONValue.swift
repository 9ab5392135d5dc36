import Foundation

/// A JSON document as data, keeping what Foundation's parser loses: the order of an object's members and the
/// exact text of numbers, so that quantities and hours stay exact decimals from D365 to MachineMetrics.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, kept as its literal text (`120`, `0.020000`, `-1.5e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as an exact decimal.
    public var decimalValue: Decimal? {
        if case .number(let text) = self { return Decimal(string: text, locale: Self.numberLocale) }
        return nil
    }

    /// JSON's decimal point, whatever the machine's locale; built once, as building a Locale costs more than parsing.
    private static let numberLocale = Locale(identifier: "en_US_POSIX")

    /// The number as an integer, if it is a whole number that fits.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let value = Int(text) { return value }
        guard let decimal = decimalValue else { return nil }
        var input = decimal
        var whole = Decimal()
        NSDecimalRound(&whole, &input, 0, .plain)
        guard whole == decimal else { return nil }
        return Int(exactly: NSDecimalNumber(decimal: whole).doubleValue)
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A number from a decimal, written in its shortest exact form.
    public static func number(_ decimal: Decimal) -> JSONValue {
        .number(JSONNumberText.format(decimal))
    }

    /// A number from an integer.
    public static func number(_ integer: Int) -> JSONValue { .number(String(integer)) }

    /// A string, or `null` when absent.
    public static func string(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}

/// A JSON object whose members keep the order they were written in.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) { self.members = members }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The value of the first member named `key`.
    public subscript(key: String) -> JSONValue? {
        // Most names differ in length from the one sought: the byte count, stored in the string, rules them out at once.
        get {
            let count = key.utf8.count
            return members.first { $0.key.utf8.count == count && $0.key == key }?.value
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    public var keys: [String] { members.map(\.key) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// Formatting of exact decimals as JSON number text.
public enum JSONNumberText {
    /// The shortest plain text of `decimal`: `120`, `0.5`, `-1.333333`; never an exponent.
    public static func format(_ decimal: Decimal) -> String {
        // Decimal's description is locale-independent (a point, no grouping); NSDecimalString with a Locale built
        // per call cost more than the mapping it served.
        var text = decimal.description
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}
