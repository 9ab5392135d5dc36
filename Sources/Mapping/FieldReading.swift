import Foundation
import JSON
import Timestamps

/// Typed reads of a D365 row's fields.
struct Row {
    let object: JSONObject
    let entity: String

    init(_ value: JSONValue, entity: String) throws(MappingError) {
        guard case .object(let object) = value else { throw MappingError("a row of \(entity) is not a JSON object") }
        self.object = object
        self.entity = entity
    }

    func string(_ field: String) -> String? { object[field]?.stringValue }

    func required(_ field: String) throws(MappingError) -> String {
        guard let text = object[field]?.stringValue, !text.isEmpty else {
            throw MappingError("a row of \(entity) has no \(field)")
        }
        return text
    }

    /// An exact decimal (F&O's `Edm.Decimal`).
    func decimal(_ field: String) -> Decimal? { object[field]?.decimalValue }

    func integer(_ field: String) -> Int? { object[field]?.intValue }

    /// The number as F&O sent it, unchanged: decimals copied from D365 stay exact.
    func number(_ field: String) -> JSONValue {
        if case .number(let text)? = object[field] { return .number(text) }
        return .null
    }

    /// A date field combined with its time-of-day field (seconds after midnight), as an instant in UTC;
    /// `null` for F&O's empty date (1900-01-01).
    func instant(date field: String, time timeField: String?) -> JSONValue {
        guard let text = string(field), !text.hasPrefix("1900-01-01"), let days = UTCCalendar.days(ofDate: text) else { return .null }
        let seconds = timeField.flatMap(integer) ?? 0
        return .string(UTCCalendar.dateTimeText(seconds: days * 86_400 + seconds))
    }

    /// The UTC date of a date-time field, `YYYY-MM-DD`.
    func date(_ field: String) -> JSONValue {
        guard let text = string(field), text.count >= 10, !text.hasPrefix("1900-01-01") else { return .null }
        return .string(String(text.prefix(10)))
    }
}
