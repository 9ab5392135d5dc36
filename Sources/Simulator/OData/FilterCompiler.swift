/// Turns a parsed `$filter` into a row predicate over one table, checking field names and types the way
/// F&O's OData layer does. String comparisons ignore case, as F&O's SQL Server collation does, and `*` in
/// an `eq`/`ne` string is a wildcard.
struct FilterCompiler {
    typealias Predicate = (Int) -> Bool

    let table: Table

    func compile(_ expression: FilterExpression) throws(ODataQueryError) -> Predicate {
        switch expression {
        case .and(let left, let right):
            let first = try compile(left)
            let second = try compile(right)
            return { first($0) && second($0) }
        case .or(let left, let right):
            let first = try compile(left)
            let second = try compile(right)
            return { first($0) || second($0) }
        case .not(let inner):
            let predicate = try compile(inner)
            return { !predicate($0) }
        case .comparison(let left, let comparison, let right):
            switch (left, right) {
            case (.field(let name), .literal(let literal)):
                return try compare(field: name, comparison, literal)
            case (.literal(let literal), .field(let name)):
                return try compare(field: name, comparison.swapped, literal)
            case (.field(let leftName), .field(let rightName)):
                return try compare(field: leftName, comparison, field: rightName)
            case (.literal, .literal):
                throw ODataQueryError(message: "A comparison of two literals is not supported.")
            }
        }
    }

    private func fieldIndex(_ name: String) throws(ODataQueryError) -> Int {
        guard let index = table.definition.index(of: name) else {
            throw ODataQueryError(
                message: "Could not find a property named '\(name)' on type 'Microsoft.Dynamics.DataEntities.\(table.definition.typeName)'.")
        }
        return index
    }

    private func incompatible(_ field: FieldDefinition, _ literal: FilterLiteral, _ comparison: ComparisonOperator) -> ODataQueryError {
        ODataQueryError(
            message:
                "A binary operator with incompatible types was detected. Found operand types '\(field.type.edmName)' and '\(literal.edmName)' for operator kind '\(comparison.kindName)'."
        )
    }

    private func compare(field name: String, _ comparison: ComparisonOperator, _ literal: FilterLiteral) throws(ODataQueryError) -> Predicate {
        let index = try fieldIndex(name)
        let field = table.definition.fields[index]
        if literal == .null {
            // Nothing in these entities is null: F&O stores empty values instead.
            guard comparison == .eq || comparison == .ne else { throw incompatible(field, literal, comparison) }
            let answer = comparison == .ne
            return { _ in answer }
        }
        switch (table.columns[index], literal) {
        case (.strings(let values), .string(let text)):
            return Self.stringPredicate(values, comparison, text)
        case (.integers(let values), .number(let text)), (.decimals(let values), .number(let text)):
            let isDecimalColumn = field.type == .decimal
            guard let target = DecimalText.parse(text) else { throw incompatible(field, literal, comparison) }
            if !isDecimalColumn {
                // Compare integers in millionths too, so that `OperationNumber gt 10.5` works as OData promotes.
                return Self.orderedPredicate(values, comparison, target, scale: DecimalText.scale)
            }
            return Self.orderedPredicate(values, comparison, target, scale: 1)
        case (.dates(let values), .dateTime(let seconds, _)):
            return Self.orderedPredicate(values, comparison, seconds, scale: 1)
        case (.members(let values), .enumMember(let typeName, let member)):
            guard case .enumeration(let type) = field.type, typeName == type.qualifiedName else {
                throw incompatible(field, literal, comparison)
            }
            guard let position = type.index(of: member) else {
                throw ODataQueryError(message: "The string '\(member)' is not a valid enumeration type constant.")
            }
            guard comparison == .eq || comparison == .ne else {
                throw ODataQueryError(
                    message: "Only 'eq' and 'ne' are supported on enumeration values; '\(comparison.rawValue)' was used on '\(name)'.")
            }
            let target = UInt8(position)
            return comparison == .eq ? { values[$0] == target } : { values[$0] != target }
        default:
            throw incompatible(field, literal, comparison)
        }
    }

    private func compare(field leftName: String, _ comparison: ComparisonOperator, field rightName: String) throws(ODataQueryError) -> Predicate {
        let left = try fieldIndex(leftName)
        let right = try fieldIndex(rightName)
        guard table.definition.fields[left].type == table.definition.fields[right].type else {
            throw ODataQueryError(
                message:
                    "A binary operator with incompatible types was detected. Found operand types '\(table.definition.fields[left].type.edmName)' and '\(table.definition.fields[right].type.edmName)' for operator kind '\(comparison.kindName)'."
            )
        }
        let table = self.table
        return { row in
            let order = Self.order(table.value(row: row, field: left), table.value(row: row, field: right))
            return Self.holds(comparison, order)
        }
    }

    private static func stringPredicate(_ values: [String], _ comparison: ComparisonOperator, _ text: String) -> Predicate {
        let folded = Array(text.lowercased().utf8)
        if comparison == .eq || comparison == .ne, folded.contains(UInt8(ascii: "*")) {
            let pattern = WildcardPattern(folded)
            return comparison == .eq ? { pattern.matches(values[$0]) } : { !pattern.matches(values[$0]) }
        }
        switch comparison {
        case .eq: return { CaseFolding.equal(values[$0], folded) }
        case .ne: return { !CaseFolding.equal(values[$0], folded) }
        default:
            return { row in holds(comparison, CaseFolding.order(values[row], folded)) }
        }
    }

    private static func orderedPredicate(_ values: [Int64], _ comparison: ComparisonOperator, _ target: Int64, scale: Int64) -> Predicate {
        if scale == 1 {
            switch comparison {
            case .eq: return { values[$0] == target }
            case .ne: return { values[$0] != target }
            case .gt: return { values[$0] > target }
            case .ge: return { values[$0] >= target }
            case .lt: return { values[$0] < target }
            case .le: return { values[$0] <= target }
            }
        }
        return { row in holds(comparison, compareInts(values[row] * scale, target)) }
    }

    private static func compareInts(_ left: Int64, _ right: Int64) -> Int { left < right ? -1 : (left > right ? 1 : 0) }

    static func holds(_ comparison: ComparisonOperator, _ order: Int) -> Bool {
        switch comparison {
        case .eq: return order == 0
        case .ne: return order != 0
        case .gt: return order > 0
        case .ge: return order >= 0
        case .lt: return order < 0
        case .le: return order <= 0
        }
    }

    /// Orders two stored values of the same type; strings without regard to case.
    static func order(_ left: Value, _ right: Value) -> Int {
        switch (left, right) {
        case (.string(let a), .string(let b)): return CaseFolding.order(a, Array(b.lowercased().utf8))
        case (.integer(let a), .integer(let b)), (.decimal(let a), .decimal(let b)), (.dateTime(let a), .dateTime(let b)):
            return compareInts(a, b)
        case (.member(let a), .member(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        default: return 0
        }
    }
}

/// Case-insensitive comparison against an already lower-cased UTF-8 operand, without allocating for ASCII text.
enum CaseFolding {
    static func equal(_ value: String, _ folded: [UInt8]) -> Bool {
        var index = 0
        for byte in value.utf8 {
            guard byte < 0x80 else { return Array(value.lowercased().utf8) == folded }
            guard index < folded.count, lower(byte) == folded[index] else { return false }
            index += 1
        }
        return index == folded.count
    }

    static func order(_ value: String, _ folded: [UInt8]) -> Int {
        let bytes = value.utf8.contains { $0 >= 0x80 } ? Array(value.lowercased().utf8) : value.utf8.map(lower)
        for (a, b) in zip(bytes, folded) where a != b { return a < b ? -1 : 1 }
        return bytes.count == folded.count ? 0 : (bytes.count < folded.count ? -1 : 1)
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
}

/// A case-insensitive pattern in which `*` matches any run of characters, as F&O's `eq '*text*'` does.
struct WildcardPattern {
    private let pieces: [[UInt8]]
    private let anchoredStart: Bool
    private let anchoredEnd: Bool

    init(_ folded: [UInt8]) {
        pieces = folded.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init)
        anchoredStart = folded.first != UInt8(ascii: "*")
        anchoredEnd = folded.last != UInt8(ascii: "*")
    }

    func matches(_ value: String) -> Bool {
        let text = value.utf8.contains { $0 >= 0x80 } ? Array(value.lowercased().utf8) : value.utf8.map(CaseFolding.lower)
        var cursor = 0
        let parts = pieces
        for (number, piece) in parts.enumerated() {
            if piece.isEmpty { continue }
            if number == 0 && anchoredStart {
                guard text.count >= piece.count, Array(text[0..<piece.count]) == piece else { return false }
                cursor = piece.count
            } else if number == parts.count - 1 && anchoredEnd {
                guard text.count - cursor >= piece.count, Array(text[(text.count - piece.count)...]) == piece else { return false }
                cursor = text.count
            } else {
                guard let found = Self.find(piece, in: text, from: cursor) else { return false }
                cursor = found + piece.count
            }
        }
        return true
    }

    private static func find(_ piece: [UInt8], in text: [UInt8], from start: Int) -> Int? {
        guard piece.count <= text.count - start else { return nil }
        for offset in start...(text.count - piece.count) where text[offset..<offset + piece.count].elementsEqual(piece) {
            return offset
        }
        return nil
    }
}
