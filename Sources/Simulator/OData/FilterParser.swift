/// Parses `$filter` text: comparisons (eq ne gt ge lt le), `and`, `or`, `not`, parentheses, and the literals
/// F&O accepts. `in`, `has` and functions are refused the way F&O refuses them.
struct FilterParser {
    private enum Token: Equatable {
        case openParenthesis, closeParenthesis, comma
        case word(String)
        case literal(FilterLiteral)
    }

    private var tokens: [Token] = []
    private var position = 0

    static func parse(_ text: String) throws(ODataQueryError) -> FilterExpression {
        var parser = FilterParser()
        parser.tokens = try tokenize(text)
        guard !parser.tokens.isEmpty else { throw ODataQueryError(message: "The $filter query option is empty.") }
        let expression = try parser.parseOr()
        guard parser.position == parser.tokens.count else {
            throw ODataQueryError(message: "Syntax error at position \(parser.position) in '\(text)'.")
        }
        return expression
    }

    private mutating func parseOr() throws(ODataQueryError) -> FilterExpression {
        var left = try parseAnd()
        while peekWord("or") {
            position += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(ODataQueryError) -> FilterExpression {
        var left = try parseUnary()
        while peekWord("and") {
            position += 1
            left = .and(left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(ODataQueryError) -> FilterExpression {
        if peekWord("not") {
            position += 1
            return .not(try parseUnary())
        }
        if next == .openParenthesis {
            position += 1
            let inner = try parseOr()
            guard next == .closeParenthesis else { throw ODataQueryError(message: "')' or operator expected at position \(position).") }
            position += 1
            return inner
        }
        let left = try parseOperand()
        guard case .word(let word)? = next else {
            throw ODataQueryError(message: "A comparison operator was expected at position \(position).")
        }
        switch word {
        case "in", "has":
            throw ODataQueryError(message: "The '\(word)' operator is not supported.")
        case "add", "sub", "mul", "div", "divby", "mod":
            throw ODataQueryError(message: "The arithmetic operator '\(word)' is not supported by the simulator.")
        default:
            guard let comparison = ComparisonOperator(rawValue: word) else {
                throw ODataQueryError(message: "Syntax error: '\(word)' at position \(position) is not a comparison operator.")
            }
            position += 1
            let right = try parseOperand()
            return .comparison(left, comparison, right)
        }
    }

    private mutating func parseOperand() throws(ODataQueryError) -> FilterOperand {
        switch next {
        case .literal(let literal)?:
            position += 1
            return .literal(literal)
        case .word(let word)?:
            if ["and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "in", "has"].contains(word) {
                throw ODataQueryError(message: "Expression expected at position \(position), found '\(word)'.")
            }
            position += 1
            if next == .openParenthesis {
                throw ODataQueryError(
                    message:
                        "An unknown function with name '\(word)' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."
                )
            }
            return .field(word)
        default:
            throw ODataQueryError(message: "Expression expected at position \(position).")
        }
    }

    private var next: Token? { position < tokens.count ? tokens[position] : nil }

    private func peekWord(_ word: String) -> Bool { next == .word(word) }

    private static func tokenize(_ text: String) throws(ODataQueryError) -> [Token] {
        let characters = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "."
        }
        func quoted(from start: Int) throws(ODataQueryError) -> (String, Int) {
            var value = String.UnicodeScalarView()
            var cursor = start + 1
            while true {
                guard cursor < characters.count else {
                    throw ODataQueryError(message: "Unterminated string literal at position \(start) in '\(text)'.")
                }
                if characters[cursor] == "'" {
                    if cursor + 1 < characters.count && characters[cursor + 1] == "'" {
                        value.append("'")
                        cursor += 2
                        continue
                    }
                    return (String(value), cursor + 1)
                }
                value.append(characters[cursor])
                cursor += 1
            }
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case " ", "\t", "\n", "\r":
                index += 1
            case "(":
                tokens.append(.openParenthesis)
                index += 1
            case ")":
                tokens.append(.closeParenthesis)
                index += 1
            case ",":
                tokens.append(.comma)
                index += 1
            case "'":
                let (value, end) = try quoted(from: index)
                tokens.append(.literal(.string(value)))
                index = end
            case "0"..."9", "-":
                var end = index + 1
                while end < characters.count, !" ()',".unicodeScalars.contains(characters[end]) { end += 1 }
                let word = String(String.UnicodeScalarView(characters[index..<end]))
                if word.count >= 10, word.unicodeScalars.dropFirst(4).first == "-", character != "-" {
                    guard word.contains("T"), let seconds = DecimalText.parseDate(word) else {
                        throw ODataQueryError(message: "Unrecognized date-time literal '\(word)' at position \(index).")
                    }
                    tokens.append(.literal(.dateTime(seconds, word)))
                } else {
                    let number = word.hasSuffix("m") || word.hasSuffix("M") ? String(word.dropLast()) : word
                    guard DecimalText.parse(number) != nil || Double(number) != nil else {
                        throw ODataQueryError(message: "Syntax error: '\(word)' at position \(index) is not a number.")
                    }
                    tokens.append(.literal(.number(number)))
                }
                index = end
            default:
                guard isWordCharacter(character) else {
                    throw ODataQueryError(message: "Syntax error: character '\(character)' is not valid at position \(index) in '\(text)'.")
                }
                var end = index
                while end < characters.count, isWordCharacter(characters[end]) { end += 1 }
                let word = String(String.UnicodeScalarView(characters[index..<end]))
                if end < characters.count, characters[end] == "'" {
                    let (member, after) = try quoted(from: end)
                    tokens.append(.literal(.enumMember(type: word, member: member)))
                    index = after
                    continue
                }
                switch word {
                case "null": tokens.append(.literal(.null))
                case "true": tokens.append(.literal(.boolean(true)))
                case "false": tokens.append(.literal(.boolean(false)))
                default: tokens.append(.word(word))
                }
                index = end
            }
        }
        return tokens
    }
}
