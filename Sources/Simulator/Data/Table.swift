/// The rows of one entity set, stored by column so that a million rows stay small and scan fast.
///
/// A value type: a reader takes a copy (which costs nothing until the next write) and works on it
/// outside the simulator's lock.
public struct Table: Sendable {
    enum Column: Sendable {
        case strings([String])
        case integers([Int64])
        case decimals([Int64])
        case dates([Int64])
        case members([UInt8])
    }

    public let definition: EntityDefinition
    private(set) var columns: [Column]
    /// The number of rows.
    public private(set) var count = 0
    /// Increases with every change, so that cached query results know when they are stale.
    public private(set) var version = 0
    /// Row position by normalised key text.
    private var keyIndex: [String: Int32] = [:]

    init(_ definition: EntityDefinition) {
        self.definition = definition
        columns = definition.fields.map { field in
            switch field.type {
            case .string: return .strings([])
            case .int32, .int64: return .integers([])
            case .decimal: return .decimals([])
            case .dateTime: return .dates([])
            case .enumeration: return .members([])
            }
        }
    }

    /// The value of field `field` in row `row`.
    public func value(row: Int, field: Int) -> Value {
        switch columns[field] {
        case .strings(let values): return .string(values[row])
        case .integers(let values): return .integer(values[row])
        case .decimals(let values): return .decimal(values[row])
        case .dates(let values): return .dateTime(values[row])
        case .members(let values): return .member(Int(values[row]))
        }
    }

    /// The value of the field named `name` in row `row`.
    public func value(row: Int, _ name: String) -> Value {
        value(row: row, field: definition.index(of: name)!)
    }

    /// The string in field `name` of row `row` (empty when the field is not a string).
    public func string(row: Int, _ name: String) -> String {
        if case .string(let text) = value(row: row, name) { return text }
        return ""
    }

    /// The row whose key fields hold `key`, in key order; strings compare case-insensitively as in SQL Server.
    public func row(key: [Value]) -> Int? {
        keyIndex[Self.keyText(key)].map(Int.init)
    }

    /// Appends a row given as field name → value; fields left out take their empty value.
    @discardableResult
    mutating func append(_ values: [String: Value]) -> Int {
        var row = definition.fields.map { Self.emptyValue(of: $0.type) }
        for (name, value) in values {
            guard let index = definition.index(of: name) else { preconditionFailure("\(definition.setName) has no field \(name)") }
            row[index] = value
        }
        return append(row: row)
    }

    /// Appends a row given in field order.
    @discardableResult
    mutating func append(row: [Value]) -> Int {
        precondition(row.count == columns.count)
        for (index, value) in row.enumerated() {
            Self.append(value, to: &columns[index])
        }
        keyIndex[Self.keyText(definition.keyIndexes.map { row[$0] })] = Int32(count)
        count += 1
        version += 1
        return count - 1
    }

    /// Replaces field `field` of row `row`.
    mutating func set(row: Int, field: Int, to value: Value) {
        let isKey = definition.keyIndexes.contains(field)
        if isKey { keyIndex[Self.keyText(definition.keyIndexes.map { self.value(row: row, field: $0) })] = nil }
        switch (value, columns[field]) {
        case (.string(let text), .strings(var values)):
            columns[field] = .integers([])
            values[row] = text
            columns[field] = .strings(values)
        case (.integer(let number), .integers(var values)):
            columns[field] = .strings([])
            values[row] = number
            columns[field] = .integers(values)
        case (.decimal(let number), .decimals(var values)):
            columns[field] = .strings([])
            values[row] = number
            columns[field] = .decimals(values)
        case (.dateTime(let seconds), .dates(var values)):
            columns[field] = .strings([])
            values[row] = seconds
            columns[field] = .dates(values)
        case (.member(let member), .members(var values)):
            columns[field] = .strings([])
            values[row] = UInt8(member)
            columns[field] = .members(values)
        default:
            preconditionFailure("value \(value) does not fit \(definition.fields[field].name)")
        }
        if isKey { keyIndex[Self.keyText(definition.keyIndexes.map { self.value(row: row, field: $0) })] = Int32(row) }
        version += 1
    }

    /// The empty value F&O shows for a field of type `type`.
    static func emptyValue(of type: FieldType) -> Value {
        switch type {
        case .string: return .string("")
        case .int32, .int64: return .integer(0)
        case .decimal: return .decimal(0)
        case .dateTime: return .emptyDate
        case .enumeration: return .member(0)
        }
    }

    private static func append(_ value: Value, to column: inout Column) {
        // Each case moves the array out of the enum first, so that appending does not copy it.
        switch (value, column) {
        case (.string(let text), .strings(var values)):
            column = .integers([])
            values.append(text)
            column = .strings(values)
        case (.integer(let number), .integers(var values)):
            column = .strings([])
            values.append(number)
            column = .integers(values)
        case (.decimal(let number), .decimals(var values)):
            column = .strings([])
            values.append(number)
            column = .decimals(values)
        case (.dateTime(let seconds), .dates(var values)):
            column = .strings([])
            values.append(seconds)
            column = .dates(values)
        case (.member(let member), .members(var values)):
            column = .strings([])
            values.append(UInt8(member))
            column = .members(values)
        default:
            preconditionFailure("value \(value) does not fit its column")
        }
    }

    static func keyText(_ key: [Value]) -> String {
        key.map { value -> String in
            switch value {
            case .string(let text): return text.lowercased()
            case .integer(let number), .decimal(let number), .dateTime(let number): return String(number)
            case .member(let member): return "#\(member)"
            case .null: return "null"
            }
        }.joined(separator: "\u{1F}")
    }
}
