import Hashing
import Redaction

/// The rules for names in the spool (`contracts/cli-and-config.md` § Names in the spool).
///
/// Operators and other programs drop files with any name a Linux file system allows: up to 255 bytes of anything but
/// `/` and NUL. The spool keeps every item under a name that is UTF-8 (one that is not is replaced when a run first meets
/// it), short enough for its longest sidecar and a collision number (one too long is shortened when the item moves),
/// and free in its folder for the item and its sidecars.
public enum SpoolName {
    /// The most bytes a name may have on Linux file systems (`NAME_MAX`).
    public static let fileSystemLimit = 255
    /// The most bytes an item's name may have: room for `.receipt.json` in place of `.json` and a collision number
    /// (`.99999`), with some to spare.
    public static let itemLimit = fileSystemLimit - ".receipt.json".utf8.count - ".99999".utf8.count - 6

    /// Whether `name` names a file directly inside a folder: not empty, not `.` or `..`, no `/` and no NUL.
    public static func isPlain(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// The name an item called `bytes` (not UTF-8) is given: each byte that is not part of valid UTF-8 written as `%XX`
    /// and `%` itself as `%25`, so that the name it had can be read back from the one it has; then cut to ``itemLimit``.
    public static func adopted(_ bytes: [UInt8]) -> String {
        fitted(escapingInvalidUTF8(bytes, as: "%", escapingPrefix: true))
    }

    /// `name`, or when it is longer than ``itemLimit``, its start, `~` and 12 hex digits of the SHA-256 of the whole
    /// name, keeping `.json`: distinct long names stay distinct.
    public static func fitted(_ name: String) -> String {
        guard name.utf8.count > itemLimit else { return name }
        let suffix = name.hasSuffix(".json") ? ".json" : ""
        let mark = "~" + SHA256Hex.digest(name).prefix(12) + suffix
        var start = ""
        for character in name.dropLast(suffix.count) {
            guard start.utf8.count + String(character).utf8.count + mark.utf8.count <= itemLimit else { break }
            start.append(character)
        }
        return start + mark
    }

    /// The `number`th name for an item called `name` when that is taken: `stem.2.json`, `stem.3.json`, …
    static func numbered(_ name: String, _ number: Int) -> String {
        let suffix = name.hasSuffix(".json") ? ".json" : ""
        return fitted("\(name.dropLast(suffix.count)).\(number)\(suffix)")
    }

    /// A name as people are shown it: on one line, control characters escaped.
    public static func shown(_ name: String) -> String { PrintableText.escaped(name) }

    /// Raw name bytes as people are shown them: bytes that are not UTF-8 as `\xXX`, control characters escaped.
    public static func shown(_ bytes: [UInt8]) -> String { escapingInvalidUTF8(bytes, as: "\\x", showingValidAs: PrintableText.escaped) }

    /// `bytes` decoded as UTF-8, each byte that is not part of valid UTF-8 written as `prefix` and two hex digits (and,
    /// when `escapingPrefix`, the prefix's own first character as `prefix` and its code); the valid text passes through
    /// `showingValidAs`.
    static func escapingInvalidUTF8(
        _ bytes: [UInt8], as prefix: String, escapingPrefix: Bool = false,
        showingValidAs show: (String) -> String = { $0 }
    ) -> String {
        let prefixByte = prefix.utf8.first!
        if !escapingPrefix || !bytes.contains(prefixByte), let text = String(validating: bytes, as: UTF8.self) { return show(text) }
        var result = ""
        var index = 0
        while index < bytes.count {
            // A valid scalar has no shorter valid start (a lead byte alone is not UTF-8), so the first length that
            // validates is the scalar's.
            let length = (1...4).first { index + $0 <= bytes.count && String(validating: bytes[index..<index + $0], as: UTF8.self) != nil }
            if escapingPrefix && bytes[index] == prefixByte {
                result += prefix + hex(prefixByte)
                index += 1
            } else if let length {
                result += show(String(decoding: bytes[index..<index + length], as: UTF8.self))
                index += length
            } else {
                result += prefix + hex(bytes[index])
                index += 1
            }
        }
        return result
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
