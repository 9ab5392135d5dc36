import Foundation

/// What the generated data set holds: deterministic for a given seed and reference date.
public struct DataSetOptions: Sendable {
    /// The seed of every random choice.
    public var seed: UInt64 = 20_261_121
    /// Production orders across every legal entity and site (at least 4).
    public var orders: Int = 200
    /// Pending labor tickets in MachineMetrics; `nil` means a quarter of the orders (at least 12).
    public var laborTickets: Int?
    /// The day the data set is built around (UTC midnight); tickets end in the days before it.
    public var referenceDate: Date = DataSetOptions.todayUTC()
    /// The legal entity and site a connector is configured for; most rows belong to them.
    public var legalEntity = "usmf"
    public var siteID = "1"

    public init() {}

    /// Today's date at 00:00 UTC.
    public static func todayUTC(now: Date = Date()) -> Date {
        let seconds = Int64(now.timeIntervalSince1970)
        return Date(timeIntervalSince1970: TimeInterval(seconds - seconds % 86_400))
    }
}
