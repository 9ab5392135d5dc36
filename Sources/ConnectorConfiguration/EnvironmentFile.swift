/// The assignments of an env-style file, read as systemd's `EnvironmentFile=` reads them, forgiving what Windows
/// editors and copied screens add: a UTF-8 byte-order mark, CR LF (or CR) line ends, `export `, blanks around `=`,
/// and values in single or double quotes.
///
/// A line that cannot be read is reported by its number alone: its text may hold a secret.
struct EnvironmentFile {
    struct Assignment: Equatable {
        let key: String
        let value: String
        /// The line the assignment starts on, from 1.
        let line: Int
    }

    /// A line that is not an assignment, and why; never the line's text.
    struct Problem: Equatable {
        let line: Int
        let reason: String
    }

    private(set) var assignments: [Assignment] = []
    private(set) var problems: [Problem] = []

    /// Reads `text`, which is already known to be UTF-8.
    init(_ text: String) {
        var lines = Self.lines(of: text)[...]
        var number = 0
        while let first = lines.popFirst() {
            number += 1
            let start = number
            var line = first
            // A backslash at the very end joins the next line, as systemd does.
            while line.hasSuffix("\\"), let next = lines.popFirst() {
                number += 1
                line = String(line.dropLast()) + next
            }
            read(line, number: start)
        }
    }

    private mutating func read(_ rawLine: String, number: Int) {
        var line = Substring(rawLine).trimmingBlanks()
        if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { return }
        if line.hasPrefix("export"), let next = line.dropFirst(6).first, next == " " || next == "\t" {
            line = line.dropFirst(6).trimmingBlanks()
        }
        guard let equals = line.firstIndex(of: "=") else {
            return problems.append(Problem(line: number, reason: "is not KEY=value"))
        }
        let key = line[..<equals].trimmingBlanks()
        guard Self.isVariableName(key) else {
            return problems.append(Problem(line: number, reason: "does not start with a variable name (letters, digits and _) before the ="))
        }
        switch Self.value(of: line[line.index(after: equals)...].trimmingBlanks()) {
        case .success(let value): assignments.append(Assignment(key: String(key), value: value, line: number))
        case .failure(let problem): problems.append(Problem(line: number, reason: "\(key): \(problem.reason)"))
        }
    }

    private struct ValueProblem: Error { let reason: String }

    /// The value as written, its quotes taken away: `'…'` is literal, `"…"` takes `\"`, `\\`, `\$` and `` \` ``.
    private static func value(of text: Substring) -> Result<String, ValueProblem> {
        guard let quote = text.first, quote == "\"" || quote == "'" else { return .success(String(text)) }
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                let rest = text[text.index(after: index)...].trimmingBlanks()
                guard rest.isEmpty else { return .failure(ValueProblem(reason: "has text after the closing quote")) }
                return .success(value)
            }
            if quote == "\"", character == "\\", text.index(after: index) < text.endIndex,
               "\"\\$`".contains(text[text.index(after: index)]) {
                index = text.index(after: index)
            }
            value.append(text[index])
            index = text.index(after: index)
        }
        return .failure(ValueProblem(reason: "has a quote that is never closed"))
    }

    /// The file's lines, whichever line ends it uses, without a leading byte-order mark.
    private static func lines(of text: String) -> [String] {
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCarriageReturn = false
        for scalar in scalars {
            if scalar == "\n" && previousWasCarriageReturn {
                previousWasCarriageReturn = false
                continue
            }
            previousWasCarriageReturn = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    private static func isVariableName(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

extension Substring {
    /// Without spaces and tabs at either end.
    func trimmingBlanks() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
