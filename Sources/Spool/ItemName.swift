import Foundation
import Timestamps

/// `<UTC time>_<run id>_<direction>_<kind>_<sequence>.json`, e.g.
/// `20261121T174512Z_r7f3a9c_from-erp_work-orders_0003.json`: `ls` sorts items by age.
public struct ItemName: Sendable, Equatable, CustomStringConvertible {
    public let time: Date
    public let runID: String
    public let direction: Direction
    public let kind: String
    public let sequence: Int

    public init(time: Date, runID: String, direction: Direction, kind: String, sequence: Int) {
        self.time = time
        self.runID = runID
        self.direction = direction
        self.kind = kind
        self.sequence = sequence
    }

    public var description: String {
        "\(Self.timestamp(time))_\(runID)_\(direction.rawValue)_\(kind)_\(String(sequence).leftPadded(4)).json"
    }

    /// Parses a name this tool wrote; `nil` for any other name.
    public init?(parsing name: String) {
        guard name.hasSuffix(".json") else { return nil }
        let parts = name.dropLast(5).split(separator: "_").map(String.init)
        guard parts.count == 5, let time = Self.parseTimestamp(parts[0]), let direction = Direction(rawValue: parts[2]),
            let sequence = Int(parts[4])
        else { return nil }
        self.init(time: time, runID: parts[1], direction: direction, kind: parts[3], sequence: sequence)
    }

    /// `20261121T174512Z`.
    public static func timestamp(_ date: Date) -> String {
        UTCCalendar.compactDateTimeText(seconds: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    static func parseTimestamp(_ text: String) -> Date? {
        UTCCalendar.seconds(ofCompactDateTime: text).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// The names of an item's sidecars.
public enum Sidecar {
    /// What a sidecar says of its item.
    public enum Kind: String, Sendable, CaseIterable {
        /// Why the item failed, and what to do.
        case error
        /// What the far side answered.
        case receipt

        var suffix: String { ".\(rawValue).json" }
    }

    /// `X.error.json` (or `X.receipt.json`) for `X.json`; the whole name plus the suffix otherwise.
    public static func name(of kind: Kind, for item: String) -> String {
        (item.hasSuffix(".json") ? String(item.dropLast(5)) : item) + kind.suffix
    }

    /// `X.error.json` for `X.json`; the whole name plus `.error.json` otherwise.
    public static func errorName(for item: String) -> String { name(of: .error, for: item) }
    /// `X.receipt.json` for `X.json`.
    public static func receiptName(for item: String) -> String { name(of: .receipt, for: item) }

    /// Whether `name` is a sidecar rather than an item.
    public static func isSidecar(_ name: String) -> Bool { Kind.allCases.contains { name.hasSuffix($0.suffix) } }

    /// The names the item of a sidecar called `name` may have: `X.json`, or `X` for an item named without `.json`;
    /// none when `name` is no sidecar's.
    static func items(of name: String) -> [String] {
        guard let kind = Kind.allCases.first(where: { name.hasSuffix($0.suffix) }) else { return [] }
        let stem = String(name.dropLast(kind.suffix.count))
        return [stem + ".json", stem]
    }
}
