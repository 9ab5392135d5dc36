import Foundation

/// Changes to a configuration file that keep every line they do not touch as it was: its comments, its order, its
/// line ends and byte-order mark.
public struct ConfigurationFileEdit {
    private var lines: [String]
    private let hasByteOrderMark: Bool
    private let lineEnd: String
    private var assignments: [EnvironmentFile.Assignment]

    /// `text` as read from the file (UTF-8).
    public init(_ text: String) {
        lines = EnvironmentFile.lines(of: text)
        hasByteOrderMark = text.unicodeScalars.first == "\u{FEFF}"
        lineEnd = text.contains("\r\n") ? "\r\n" : "\n"
        assignments = EnvironmentFile(text).assignments
    }

    /// The file's text after the edits.
    public var text: String {
        (hasByteOrderMark ? "\u{FEFF}" : "") + lines.map { $0 + lineEnd }.joined()
    }

    /// Puts `comment` in place of every assignment to any of `keys`, each of its lines.
    public mutating func replaceAssignments(of keys: [String], with comment: String) {
        for assignment in assignments.reversed() where keys.contains(assignment.key) {
            lines.replaceSubrange((assignment.line - 1)..<assignment.lastLine, with: ["# " + comment])
        }
        assignments = EnvironmentFile(text).assignments
    }

    /// Sets `key` to `value`: the last assignment to it changes, or a line is added at the end.
    public mutating func set(_ key: String, to value: String) {
        let line = "\(key)=\(Self.quoted(value))"
        if let last = assignments.last(where: { $0.key == key }) {
            lines.replaceSubrange((last.line - 1)..<last.lastLine, with: [line])
        } else {
            lines.append(line)
        }
        assignments = EnvironmentFile(text).assignments
    }

    /// `value` as systemd's `EnvironmentFile=` reads it back: bare when it holds nothing special, else double-quoted.
    static func quoted(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/._-:@%+,".unicodeScalars.contains($0))
        }
        guard !plain || value.isEmpty else { return value }
        var escaped = ""
        for character in value {
            if "\"\\$`".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return "\"\(escaped)\""
    }
}
