/// The assignments of an env-style file, read as systemd's `EnvironmentFile=` reads them (`src/basic/env-file.c`: CR LF
/// or CR line ends, blanks around `=`, `'…'` literal, `"…"` with `\"`, `\\`, `\$`, `` \` ``, a backslash escaping the
/// next character outside quotes and joining the next line at the end of one), and forgiving what Windows editors and
/// copied shell scripts add beyond that: a UTF-8 byte-order mark and `export `. systemd itself drops an assignment
/// after those, and the units read the file through systemd, so each is reported in ``systemdWarnings``.
///
/// A line that cannot be read is reported by its number alone: its text may hold a secret.
struct EnvironmentFile {
    struct Assignment: Equatable {
        let key: String
        let value: String
        /// The line the assignment starts on, from 1.
        let line: Int
        /// The line it ends on, after lines joined by a backslash.
        var lastLine: Int = 0
    }

    /// A line that is not an assignment, and why; never the line's text.
    struct Problem: Equatable {
        let line: Int
        let reason: String
    }

    private(set) var assignments: [Assignment] = []
    private(set) var problems: [Problem] = []
    /// What d365mm reads but systemd's `EnvironmentFile=` would lose, by line.
    private(set) var systemdWarnings: [Problem] = []

    /// Reads `text`, which is already known to be UTF-8.
    init(_ text: String) {
        if text.unicodeScalars.first == "\u{FEFF}" {
            systemdWarnings.append(
                Problem(line: 1, reason: "starts with a byte-order mark, which systemd does not remove: save the file as UTF-8 without one"))
        }
        var lines = Self.lines(of: text)[...]
        var number = 0
        while let first = lines.popFirst() {
            number += 1
            let start = number
            var line = first
            let blank = Substring(line).trimmingBlanks()
            if blank.isEmpty || blank.hasPrefix("#") || blank.hasPrefix(";") { continue }
            // A backslash at the very end joins the next line, as systemd does.
            while Self.endsInEscape(line), let next = lines.popFirst() {
                number += 1
                line = String(line.dropLast()) + next
            }
            read(line, number: start)
            if assignments.last?.line == start { assignments[assignments.count - 1].lastLine = number }
        }
    }

    /// Whether `line` ends in a backslash that escapes the line end (not one escaped itself).
    private static func endsInEscape(_ line: String) -> Bool {
        line.reversed().prefix { $0 == "\\" }.count % 2 == 1
    }

    private mutating func read(_ rawLine: String, number: Int) {
        var line = Substring(rawLine).trimmingBlanks()
        if line.hasPrefix("export"), let next = line.dropFirst(6).first, next == " " || next == "\t" {
            line = line.dropFirst(6).trimmingBlanks()
            systemdWarnings.append(Problem(line: number, reason: "starts with export, which systemd does not read: remove it"))
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

    /// The value as written, its quotes taken away: `'…'` is literal, `"…"` takes `\"`, `\\`, `\$` and `` \` ``, and
    /// outside quotes a backslash escapes the character after it.
    private static func value(of text: Substring) -> Result<String, ValueProblem> {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            var value = ""
            var escaped = false
            for character in text {
                if character == "\\" && !escaped {
                    escaped = true
                    continue
                }
                escaped = false
                value.append(character)
            }
            return .success(value)
        }
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
                "\"\\$`".contains(text[text.index(after: index)])
            {
                index = text.index(after: index)
            }
            value.append(text[index])
            index = text.index(after: index)
        }
        return .failure(ValueProblem(reason: "has a quote that is never closed"))
    }

    /// The file's lines, whichever line ends it uses, without a leading byte-order mark.
    static func lines(of text: String) -> [String] {
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
