/// A fast JSON writer into bytes, for pages of thousands of rows.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }
    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }
    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }
    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma.removeLast()
    }

    /// Writes an object key; the next value belongs to it.
    mutating func key(_ name: String) {
        separate()
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ text: String) {
        separate()
        Self.appendQuoted(text, to: &bytes)
    }
    mutating func optionalString(_ text: String?) { if let text { string(text) } else { null() } }
    mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        DecimalText.appendDigits(value.magnitude, into: &bytes)
    }
    mutating func decimal(_ millionths: Int64) {
        separate()
        DecimalText.format(millionths, into: &bytes)
    }
    mutating func dateTime(_ seconds: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        DecimalText.formatDate(seconds, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
    mutating func boolean(_ value: Bool) {
        separate()
        bytes.append(contentsOf: Array((value ? "true" : "false").utf8))
    }
    mutating func null() {
        separate()
        bytes.append(contentsOf: Array("null".utf8))
    }
    /// Inserts already-encoded JSON as one value.
    mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// Writes `value` as F&O shows a field of type `type`.
    mutating func value(_ value: Value, type: FieldType) {
        switch (value, type) {
        case (.string(let text), _): string(text)
        case (.integer(let number), _): integer(number)
        case (.decimal(let number), _): decimal(number)
        case (.dateTime(let seconds), _): dateTime(seconds)
        case (.member(let position), .enumeration(let enumType)): string(enumType.members[position].name)
        case (.member(let position), _): integer(Int64(position))
        case (.null, _): null()
        }
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0x0A:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            case 0x0D:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "r"))
            case 0x09:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
