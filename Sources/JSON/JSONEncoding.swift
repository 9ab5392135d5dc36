/// Writes ``JSONValue`` as text: compact, canonical (members sorted by name) or indented for people.
public enum JSONEncoding {
    public enum Style: Sendable {
        /// No whitespace, members in their order.
        case compact
        /// No whitespace, members sorted by name: equal bytes for equal meaning, for hashing.
        case canonical
        /// Two-space indentation, members in their order.
        case pretty
    }

    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(value, style: style, indent: 0, into: &output)
        return output
    }

    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: bytes(value, style: style), as: UTF8.self)
    }

    public static func write(_ value: JSONValue, style: Style, indent: Int, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let flag): output.append(contentsOf: flag ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (position, element) in values.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(style, indent + 1, &output)
                write(element, style: style, indent: indent + 1, into: &output)
            }
            if !values.isEmpty { newline(style, indent, &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let members = object.members
            if style == .canonical {
                for (position, index) in canonicalOrder(members).enumerated() {
                    writeMember(members[index], first: position == 0, style: style, indent: indent + 1, into: &output)
                }
            } else {
                for (position, member) in members.enumerated() {
                    writeMember(member, first: position == 0, style: style, indent: indent + 1, into: &output)
                }
            }
            if !members.isEmpty { newline(style, indent, &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeMember(_ member: (key: String, value: JSONValue), first: Bool, style: Style, indent: Int, into output: inout [UInt8]) {
        if !first { output.append(UInt8(ascii: ",")) }
        newline(style, indent, &output)
        writeString(member.key, into: &output)
        output.append(UInt8(ascii: ":"))
        if style == .pretty { output.append(UInt8(ascii: " ")) }
        write(member.value, style: style, indent: indent, into: &output)
    }

    /// The positions of `members` in the order of their names' bytes. Hashing sorts every record of a pull, so what
    /// moves is a position with the name's first eight bytes as one number; only names alike that far are compared whole.
    private static func canonicalOrder(_ members: [(key: String, value: JSONValue)]) -> [Int] {
        var order = members.indices.map { (head: leadingBytes(members[$0].key), index: $0) }
        order.sort { left, right in
            if left.head != right.head { return left.head < right.head }
            return members[left.index].key.utf8.lexicographicallyPrecedes(members[right.index].key.utf8)
        }
        return order.map(\.index)
    }

    /// The first eight bytes of `text` as a big-endian number, zero-padded: ordering these orders the texts, up to ties.
    private static func leadingBytes(_ text: String) -> UInt64 {
        var head: UInt64 = 0
        var count = 0
        for byte in text.utf8 {
            guard count < 8 else { break }
            head = head << 8 | UInt64(byte)
            count += 1
        }
        return head << (8 * UInt64(8 - count))
    }

    private static func newline(_ style: Style, _ indent: Int, _ output: inout [UInt8]) {
        guard style == .pretty else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    /// Writes `text` quoted, escaping only what JSON requires; runs of plain bytes are copied whole.
    public static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var plainFrom = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                writeEscaped(byte, into: &output)
                plainFrom = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ byte: UInt8, into output: inout [UInt8]) {
        switch byte {
        case 0x22: output.append(contentsOf: [0x5C, 0x22])
        case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
        case 0x0D: output.append(contentsOf: [0x5C, 0x72])
        case 0x09: output.append(contentsOf: [0x5C, 0x74])
        case 0x08: output.append(contentsOf: [0x5C, 0x62])
        case 0x0C: output.append(contentsOf: [0x5C, 0x66])
        default:
            let hex = Array("0123456789abcdef".utf8)
            output.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
