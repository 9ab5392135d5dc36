import Foundation
import Timestamps

/// One field's value in a simulated row.
///
/// F&O never returns `null` for these entities' fields: strings are empty, dates are
/// `1900-01-01T12:00:00Z`, numbers are 0. `null` exists only as a filter literal.
public enum Value: Sendable, Hashable {
    case null
    case string(String)
    case integer(Int64)
    /// A decimal in millionths, so that quantities and hours stay exact.
    case decimal(Int64)
    /// Seconds since 1970-01-01T00:00:00Z.
    case dateTime(Int64)
    /// An enumeration member, by its position in the field's ``EnumType``.
    case member(Int)

    /// F&O's empty date, 1900-01-01T12:00:00Z.
    public static let emptyDate = Value.dateTime(DecimalText.emptyDateSeconds)

    /// A decimal from its text, e.g. `"1.5"` or `"-0.25"`.
    public static func decimal(_ text: String) -> Value? {
        DecimalText.parse(text).map(Value.decimal)
    }

    /// A decimal from a whole number.
    public static func decimal(whole: Int) -> Value { .decimal(Int64(whole) * DecimalText.scale) }
}

/// Fixed-point decimals with six places, and date-time text.
enum DecimalText {
    static let scale: Int64 = 1_000_000
    static let emptyDateSeconds: Int64 = -2_208_945_600  // 1900-01-01T12:00:00Z

    /// Parses `-12.345` style text; `nil` when it has more than six places or is not a number.
    static func parse(_ text: String) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        } else if digits.first == "+" {
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty || parts.count == 2,
            wholeText.allSatisfy(\.isASCIIDigit)
        else { return nil }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        while fraction.count > 6 && fraction.last == "0" { fraction = fraction.dropLast() }
        guard fraction.count <= 6, wholeText.count <= 12 else { return nil }
        let whole = Int64(wholeText.isEmpty ? "0" : wholeText)!
        let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
        let value = whole * scale + Int64(padded)!
        return negative ? -value : value
    }

    /// Converts a JSON number to millionths, rounding half to even beyond six places.
    static func fromDouble(_ number: Double) -> Int64 {
        Int64((number * Double(scale)).rounded(.toNearestOrEven))
    }

    /// The shortest decimal text: `120`, `0.5`, `-1.333333`.
    static func format(_ millionths: Int64, into output: inout [UInt8]) {
        var magnitude = millionths.magnitude
        if millionths < 0 { output.append(UInt8(ascii: "-")) }
        let whole = magnitude / UInt64(scale)
        magnitude %= UInt64(scale)
        appendDigits(whole, into: &output)
        guard magnitude > 0 else { return }
        output.append(UInt8(ascii: "."))
        var fraction = magnitude
        var width = 6
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        var text = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var position = width - 1
        while fraction > 0 {
            text[position] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
            position -= 1
        }
        output.append(contentsOf: text)
    }

    static func string(_ millionths: Int64) -> String {
        var bytes: [UInt8] = []
        format(millionths, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendDigits(_ value: UInt64, into output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        output.append(contentsOf: digits.reversed())
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch.
    static func formatDate(_ seconds: Int64, into output: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let civil = UTCCalendar.civil(fromDays: Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        func two(_ value: Int64) {
            output.append(UInt8(ascii: "0") + UInt8(value / 10))
            output.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        two(year / 100)
        two(year % 100)
        output.append(UInt8(ascii: "-"))
        two(month)
        output.append(UInt8(ascii: "-"))
        two(day)
        output.append(UInt8(ascii: "T"))
        two(secondOfDay / 3600)
        output.append(UInt8(ascii: ":"))
        two(secondOfDay / 60 % 60)
        output.append(UInt8(ascii: ":"))
        two(secondOfDay % 60)
        output.append(UInt8(ascii: "Z"))
    }

    static func dateString(_ seconds: Int64) -> String {
        var bytes: [UInt8] = []
        formatDate(seconds, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `2026-11-20T12:00:00Z`, `2026-11-20T12:00:00.000Z`, `…+01:00` or a bare `2026-11-20`.
    static func parseDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
            let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Int64(UTCCalendar.daysFromCivil(year: Int(year), month: Int(month), day: Int(day))) * 86_400
        if bytes.count == 10 { return seconds }
        guard bytes.count >= 20, bytes[10] == 84, let hour = number(11, 2), bytes[13] == 58, let minute = number(14, 2),
            bytes[16] == 58, let second = number(17, 2), hour < 24, minute < 60, second < 60
        else { return nil }
        seconds += hour * 3600 + minute * 60 + second
        var index = 19
        if bytes[index] == 46 {
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == 90 { return index == bytes.count - 1 ? seconds : nil }
        guard bytes[index] == 43 || bytes[index] == 45, bytes.count == index + 6,
            let offsetHours = number(index + 1, 2), bytes[index + 3] == 58, let offsetMinutes = number(index + 4, 2)
        else { return nil }
        let offset = offsetHours * 3600 + offsetMinutes * 60
        return bytes[index] == 43 ? seconds - offset : seconds + offset
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
