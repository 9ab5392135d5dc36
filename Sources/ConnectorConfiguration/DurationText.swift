import Foundation

/// The one grammar of durations in the configuration and on the command line: systemd's time spans (`10min`,
/// `1h 30min`, `90s`, `2d 12h`; see systemd.time(7), whose unit lengths these are). One letter is read two ways, as
/// the contract requires: `m` is minutes in an interval, which the units hand to systemd, and months in an age, as
/// the seed's `6m` reconciliation window means. `min` and `mo` say either without doubt.
public enum DurationText {
    public enum Reading: Sendable {
        /// A systemd time span: `m` is minutes, and a bare number is seconds.
        case interval
        /// How far back or how old: `m` is months, and every number needs a unit.
        case age
    }

    /// The units of an age, as help texts and errors name them.
    public static let ageUnits = "a number and a unit (h, d, w, m or mo for months, y)"

    private static let units: [(names: Set<String>, seconds: TimeInterval)] = [
        (["usec", "us", "µs"], 0.000_001), (["msec", "ms"], 0.001), (["seconds", "second", "sec", "s"], 1),
        (["minutes", "minute", "min"], 60), (["hours", "hour", "hr", "h"], 3600), (["days", "day", "d"], 86_400),
        (["weeks", "week", "w"], 604_800), (["months", "month", "mo", "M"], 2_629_800), (["years", "year", "y"], 31_557_600),
    ]

    /// The duration `text` spells, in seconds; `nil` unless it reads and is positive.
    public static func seconds(_ text: String, as reading: Reading) -> TimeInterval? {
        var total: TimeInterval = 0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let word = String(rest.prefix { $0.isLetter || $0 == "µ" })
            rest = rest.dropFirst(word.count)
            guard let unit = unitSeconds(word, reading) else { return nil }
            total += number * unit
        }
        return total > 0 ? total : nil
    }

    private static func unitSeconds(_ word: String, _ reading: Reading) -> TimeInterval? {
        switch (word, reading) {
        case ("", .interval): return 1
        case ("", .age): return nil
        case ("m", .interval): return 60
        case ("m", .age): return 2_629_800
        default: return units.first { $0.names.contains(word) }?.seconds
        }
    }
}
