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
    /// Rows by the lower-cased value of each string key field other than `dataAreaId`, ascending: what SQL Server's
    /// indexes give F&O, so that a filter on chunks of keys does not scan a million rows.
    private var lookupIndex: [LookupKey: [Int32]] = [:]
    /// The fields `lookupIndex` covers.
    private var lookupFields: [Int] = []
    /// Per field, whether it holds a date without a time.
    private let dateOnly: [Bool]

    private struct LookupKey: Hashable {
        let field: Int
        let text: String
    }

    init(_ definition: EntityDefinition) {
        self.definition = definition
        dateOnly = definition.fields.map { $0.type == .date }
        lookupFields = definition.keyIndexes.filter { definition.fields[$0].type == .string && definition.fields[$0].name != "dataAreaId" }
        columns = definition.fields.map { field in
            switch field.type {
            case .string: return .strings([])
            case .int32, .int64: return .integers([])
            case .decimal: return .decimals([])
            case .dateTime, .date: return .dates([])
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

    /// Whether rows can be looked up by the value of `field` without a scan.
    func hasLookupIndex(on field: Int) -> Bool { lookupFields.contains(field) }

    /// The rows whose `field` equals `text` ignoring case, ascending; only for fields with a lookup index.
    func rows(where field: Int, equals text: String) -> [Int32] {
        lookupIndex[LookupKey(field: field, text: text.lowercased())] ?? []
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
            Self.append(dateOnly[index] ? Self.noon(value) : value, to: &columns[index])
        }
        keyIndex[Self.keyText(definition.keyIndexes.map { row[$0] })] = Int32(count)
        for field in lookupFields {
            if case .string(let text) = row[field] { lookupIndex[LookupKey(field: field, text: text.lowercased()), default: []].append(Int32(count)) }
        }
        count += 1
        version += 1
        return count - 1
    }

    /// Removes the rows from `count` on, newest first: the undo of appends, for changesets that fail.
    mutating func truncate(to newCount: Int) {
        guard newCount < count else { return }
        for row in stride(from: count - 1, through: newCount, by: -1) {
            keyIndex[Self.keyText(definition.keyIndexes.map { value(row: row, field: $0) })] = nil
            unindex(row: row)
        }
        for index in columns.indices {
            switch columns[index] {
            case .strings(var values):
                columns[index] = .members([])
                values.removeLast(count - newCount)
                columns[index] = .strings(values)
            case .integers(var values):
                columns[index] = .members([])
                values.removeLast(count - newCount)
                columns[index] = .integers(values)
            case .decimals(var values):
                columns[index] = .members([])
                values.removeLast(count - newCount)
                columns[index] = .decimals(values)
            case .dates(var values):
                columns[index] = .members([])
                values.removeLast(count - newCount)
                columns[index] = .dates(values)
            case .members(var values):
                columns[index] = .strings([])
                values.removeLast(count - newCount)
                columns[index] = .members(values)
            }
        }
        count = newCount
        version += 1
    }

    /// Replaces field `field` of row `row`.
    mutating func set(row: Int, field: Int, to value: Value) {
        let isKey = definition.keyIndexes.contains(field)
        if isKey {
            keyIndex[Self.keyText(definition.keyIndexes.map { self.value(row: row, field: $0) })] = nil
            unindex(row: row)
        }
        Self.modify(&columns[field], .replace(row), dateOnly[field] ? Self.noon(value) : value)
        if isKey {
            keyIndex[Self.keyText(definition.keyIndexes.map { self.value(row: row, field: $0) })] = Int32(row)
            for indexed in lookupFields {
                if case .string(let text) = self.value(row: row, field: indexed) {
                    let key = LookupKey(field: indexed, text: text.lowercased())
                    lookupIndex[key, default: []].append(Int32(row))
                    lookupIndex[key]!.sort()
                }
            }
        }
        version += 1
    }

    /// Removes `row` from the lookup indexes.
    private mutating func unindex(row: Int) {
        for field in lookupFields {
            guard case .string(let text) = value(row: row, field: field) else { continue }
            lookupIndex[LookupKey(field: field, text: text.lowercased())]?.removeAll { $0 == Int32(row) }
        }
    }

    /// The empty value F&O shows for a field of type `type`.
    static func emptyValue(of type: FieldType) -> Value {
        switch type {
        case .string: return .string("")
        case .int32, .int64: return .integer(0)
        case .decimal: return .decimal(0)
        case .dateTime, .date: return .emptyDate
        case .enumeration: return .member(0)
        }
    }

    /// F&O keeps a date field as a day and shows it at 12:00:00Z, whatever time of day was written.
    private static func noon(_ value: Value) -> Value {
        guard case .dateTime(let seconds) = value, seconds != DecimalText.emptyDateSeconds else { return value }
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return .dateTime(day * 86_400 + 43_200)
    }

    private static func append(_ value: Value, to column: inout Column) {
        modify(&column, .append, value)
    }

    private enum Edit {
        case append
        case replace(Int)
    }

    private static func apply<Element>(_ edit: Edit, _ element: Element, to values: inout [Element]) {
        switch edit {
        case .append: values.append(element)
        case .replace(let row): values[row] = element
        }
    }

    /// Edits the array inside `column` in place.
    ///
    /// The array is moved out of the enum before the edit (the enum briefly holds an empty array), so that it is
    /// uniquely referenced and not copied: appending a million rows stays linear.
    private static func modify(_ column: inout Column, _ edit: Edit, _ value: Value) {
        switch column {
        case .strings(var values):
            guard case .string(let text) = value else { break }
            column = .members([])
            apply(edit, text, to: &values)
            column = .strings(values)
            return
        case .integers(var values):
            guard case .integer(let number) = value else { break }
            column = .members([])
            apply(edit, number, to: &values)
            column = .integers(values)
            return
        case .decimals(var values):
            guard case .decimal(let number) = value else { break }
            column = .members([])
            apply(edit, number, to: &values)
            column = .decimals(values)
            return
        case .dates(var values):
            guard case .dateTime(let seconds) = value else { break }
            column = .members([])
            apply(edit, seconds, to: &values)
            column = .dates(values)
            return
        case .members(var values):
            guard case .member(let member) = value else { break }
            column = .strings([])
            apply(edit, UInt8(member), to: &values)
            column = .members(values)
            return
        }
        preconditionFailure("value \(value) does not fit its column")
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
