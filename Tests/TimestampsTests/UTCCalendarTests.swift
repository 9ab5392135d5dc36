import Foundation
import Testing
import Timestamps

/// The arithmetic must say exactly what Foundation's formatters say, for every day records and file names carry.
struct UTCCalendarTests {
    private static func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }

    @Test func everyDayFrom1899To2101AgreesWithFoundation() {
        let dates = Self.formatter([.withFullDate])
        let instants = Self.formatter([.withInternetDateTime])
        let first = UTCCalendar.days(ofDate: "1899-12-25")!
        let last = UTCCalendar.days(ofDate: "2101-01-05")!
        var mismatches: [String] = []
        for day in first...last {
            let text = UTCCalendar.dateText(days: day)
            let seconds = day * 86_400 + (day * 7919) % 86_400
            if dates.string(from: Date(timeIntervalSince1970: TimeInterval(day * 86_400))) != text
                || UTCCalendar.days(ofDate: text) != day
                || instants.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) != UTCCalendar.dateTimeText(seconds: seconds)
            {
                mismatches.append(text)
            }
        }
        #expect(last - first > 73_000)
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    @Test(arguments: ["2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "20261121", "2026-11-2x", ""])
    func whatIsNotADateIsRefused(_ text: String) {
        #expect(UTCCalendar.days(ofDate: text) == nil)
    }

    @Test func leapDaysAreDates() {
        #expect(UTCCalendar.days(ofDate: "2024-02-29") != nil)
        #expect(UTCCalendar.days(ofDate: "2000-02-29") != nil)
    }

    @Test(arguments: [
        "2026-11-20T14:05:00Z", "2026-11-20T14:05:00.250Z", "2026-11-20T23:30:00-02:00", "2026-03-01T00:15:59+05:30",
        "2024-02-29T12:00:00.5+00:00",
    ])
    func instantsAgreeWithFoundation(_ text: String) throws {
        let plain = Self.formatter([.withInternetDateTime]).date(from: text)
        let fractional = Self.formatter([.withInternetDateTime, .withFractionalSeconds]).date(from: text)
        let expected = try #require(plain ?? fractional)
        let seconds = try #require(UTCCalendar.seconds(ofInstant: text))
        #expect(abs(seconds - expected.timeIntervalSince1970) < 0.001)
    }

    @Test(arguments: ["2026-11-20 14:05:00Z", "2026-11-20T14:05:00", "2026-11-20T24:00:00Z", "2026-11-20T14:05:00.Z", "2026-11-20T14:05:00+0100"])
    func whatIsNotAnRFC3339InstantIsRefused(_ text: String) {
        #expect(UTCCalendar.seconds(ofInstant: text) == nil)
    }

    @Test func spoolFileNameTimesRoundTrip() {
        let seconds = UTCCalendar.days(ofDate: "2026-11-21")! * 86_400 + 17 * 3600 + 45 * 60 + 12
        #expect(UTCCalendar.compactDateTimeText(seconds: seconds) == "20261121T174512Z")
        #expect(UTCCalendar.seconds(ofCompactDateTime: "20261121T174512Z") == seconds)
        #expect(UTCCalendar.seconds(ofCompactDateTime: "20261131T174512Z") == nil)
    }
}
