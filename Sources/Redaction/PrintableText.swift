/// Text as it may be shown on one line of a log, a terminal or a listing: control characters escaped, so that a file
/// name or a value holding a line break or an escape sequence can neither split a log line nor drive a terminal.
public enum PrintableText {
    /// `text` with `\n`, `\r`, `\t`, `\\` written as such and every other control character as `\u{…}`; unchanged when
    /// there is nothing to escape.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            case _ where needsEscape(scalar): result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Control characters (C0, DEL, C1) and the line and paragraph separators; the backslash too, once anything is
    /// escaped, so that the escaped form reads back unambiguously.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
