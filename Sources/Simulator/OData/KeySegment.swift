/// Parses the key of a by-key URL: `(dataAreaId='usmf',ProductionOrderNumber='P000123')` or `('000123')`.
enum KeySegment {
    static func parse(_ text: String, entity: EntityDefinition) throws(ODataQueryError) -> [Value] {
        let inner = text.dropFirst().dropLast()
        var parts: [(name: String?, literal: String)] = []
        var current = ""
        var inQuotes = false
        for character in inner {
            if character == "'" { inQuotes.toggle() }
            if character == "," && !inQuotes {
                parts.append(split(current))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(split(current))
        let named = parts.allSatisfy { $0.name != nil }
        guard parts.count == entity.keys.count, named || parts.count == 1 else {
            throw ODataQueryError(
                message: "The number of keys specified in the URI does not match number of key properties for the resource '\(entity.typeName)'.")
        }
        var values: [Value] = []
        for (position, key) in entity.keys.enumerated() {
            let part = named ? parts.first { $0.name == key } : parts[position]
            guard let part else {
                throw ODataQueryError(message: "The key property '\(key)' of '\(entity.typeName)' is missing from the URI.")
            }
            values.append(try literal(part.literal, for: entity.fields[entity.index(of: key)!].type))
        }
        return values
    }

    private static func split(_ text: String) -> (name: String?, literal: String) {
        guard let equals = text.firstIndex(of: "="), !text[..<equals].contains("'") else { return (nil, text) }
        return (String(text[..<equals]).trimmingCharacters(in: .whitespaces), String(text[text.index(after: equals)...]))
    }

    private static func literal(_ text: String, for type: FieldType) throws(ODataQueryError) -> Value {
        switch type {
        case .string:
            guard text.hasPrefix("'"), text.hasSuffix("'"), text.count >= 2 else {
                throw ODataQueryError(message: "Bad Request - Error in query syntax: key value \(text) is not a string literal.")
            }
            return .string(String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'"))
        case .int32, .int64:
            guard let number = Int64(text) else { throw ODataQueryError(message: "Bad Request - Error in query syntax: \(text) is not an integer.") }
            return .integer(number)
        case .decimal:
            guard let number = DecimalText.parse(text.hasSuffix("m") ? String(text.dropLast()) : text) else {
                throw ODataQueryError(message: "Bad Request - Error in query syntax: \(text) is not a decimal.")
            }
            return .decimal(number)
        case .dateTime, .date:
            guard let seconds = DecimalText.parseDate(text) else {
                throw ODataQueryError(message: "Bad Request - Error in query syntax: \(text) is not a date-time.")
            }
            return .dateTime(seconds)
        case .enumeration(let enumType):
            guard let quote = text.firstIndex(of: "'"), let position = enumType.index(of: String(text[text.index(after: quote)...].dropLast())) else {
                throw ODataQueryError(message: "Bad Request - Error in query syntax: \(text) is not a member of \(enumType.name).")
            }
            return .member(position)
        }
    }
}
