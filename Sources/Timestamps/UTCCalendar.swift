/// Dates and instants in UTC by arithmetic. Foundation's date formatters build an ICU formatter per use, which took
/// most of the from-ERP transform's time (`scripts/bench`, profiled with perf); these run per record and per file.
public enum UTCCalendar {
    /// Days from 1970-01-01 to the date `YYYY-MM-DD` at the start of `text`; `nil` when it is not a real date.
    public static func days(ofDate text: some StringProtocol) -> Int? {
        let bytes = Array(text.utf8.prefix(10))
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD` of the day `days` after 1970-01-01.
    public static func dateText(days: Int) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(10)
        appendDate(days: days, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of `seconds` after the epoch.
    public static func dateTimeText(seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        var text: [UInt8] = []
        text.reserveCapacity(20)
        appendDate(days: days, to: &text)
        text.append(UInt8(ascii: "T"))
        appendDigits(time / 3600, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendDigits(time / 60 % 60, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendDigits(time % 60, width: 2, to: &text)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    // Bytes, not string concatenation: these run for every date of every record pulled.
    private static func appendDate(days: Int, to text: inout [UInt8]) {
        let (year, month, day) = civil(fromDays: days)
        appendDigits(year, width: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &text)
    }

    /// `value` in decimal, zero-padded to `width`; wider values keep every digit.
    private static func appendDigits(_ value: Int, width: Int, to text: inout [UInt8]) {
        guard value >= 0 else {
            text.append(contentsOf: String(value).utf8)
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = text.count
        text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, digits)))
        var remaining = value
        var index = text.count - 1
        while index >= start && remaining > 0 {
            text[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        }
    }

    /// Seconds after the epoch of an RFC 3339 instant (`2026-11-20T14:05:00Z`, `…T14:05:00.250+01:00`); `nil` for
    /// anything else.
    public static func seconds(ofInstant text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let days = days(ofDate: text), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > digits else { return nil }
        }
        var offset = 0
        switch bytes[index...].first {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case let sign? where sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = number(bytes[(index + 1)..<(index + 3)]), let minutes = number(bytes[(index + 4)..<(index + 6)]),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// `YYYYMMDDTHHMMSSZ` (ISO 8601's basic format) of `seconds` after the epoch, as spool file names carry it.
    public static func compactDateTimeText(seconds: Int) -> String {
        dateTimeText(seconds: seconds).filter { $0 != "-" && $0 != ":" }
    }

    /// Seconds after the epoch of `YYYYMMDDTHHMMSSZ`; `nil` for anything else.
    public static func seconds(ofCompactDateTime text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
            let year = number(bytes[0..<4]), let month = number(bytes[4..<6]), let day = number(bytes[6..<8]),
            let hour = number(bytes[9..<11]), let minute = number(bytes[11..<13]), let second = number(bytes[13..<15]),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil and civil_from_days (proleptic Gregorian calendar).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
