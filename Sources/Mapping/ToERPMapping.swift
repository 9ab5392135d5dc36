import Foundation
import Hashing
import JSON
import Timestamps

/// A MachineMetrics labor ticket (`contracts/machinemetrics-api.md` §3), read strictly.
public struct LaborTicket: Sendable, Equatable {
    public let id: String
    public let revision: Int
    public let workOrderNumber: String
    public let dataAreaID: String
    public let operationSequence: Int
    public let operationPriority: String
    public let resourceID: String?
    public let personnelNumber: String?
    /// `setup` or `production`.
    public let kind: String
    public let startAt: Date
    public let endAt: Date
    public let goodQuantity: Decimal
    public let badQuantity: Decimal
    public let scrapReasonCode: String?
    public let operationCompleted: Bool

    public init(_ value: JSONValue) throws(MappingError) {
        guard let id = value["id"]?.stringValue, !id.isEmpty else { throw MappingError("a labor ticket has no id") }
        func required<T>(_ field: String, _ read: (JSONValue) -> T?) throws(MappingError) -> T {
            guard let field = value[field], let result = read(field) else { throw MappingError("labor ticket \(id) has no valid \(field)") }
            return result
        }
        func date(_ field: String) throws(MappingError) -> Date {
            try required(field) { $0.stringValue.flatMap(Self.parseInstant) }
        }
        self.id = id
        revision = try required("revision") { $0.intValue }
        workOrderNumber = try required("workOrderNumber") { $0.stringValue }
        dataAreaID = try required("dataAreaId") { $0.stringValue }
        operationSequence = try required("operationSequence") { $0.intValue }
        operationPriority = try required("operationPriority") { $0.stringValue }
        resourceID = value["resourceId"]?.stringValue
        personnelNumber = value["personnelNumber"]?.stringValue
        kind = try required("kind") { $0.stringValue.flatMap { ["setup", "production"].contains($0) ? $0 : nil } }
        startAt = try date("startAt")
        endAt = try date("endAt")
        goodQuantity = try required("goodQuantity") { $0.decimalValue }
        badQuantity = try required("badQuantity") { $0.decimalValue }
        scrapReasonCode = value["scrapReasonCode"]?.stringValue
        operationCompleted = value["operationCompleted"]?.boolValue ?? false
    }

    static func parseInstant(_ text: String) -> Date? {
        if let seconds = UTCCalendar.seconds(ofInstant: text) { return Date(timeIntervalSince1970: seconds) }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// Labor tickets → route card (or job card) journal lines (`contracts/d365-usage.md` § Writing labor). Pure functions.
public enum ToERPMapping {
    /// The field holds 60 characters.
    public static let descriptionLength = 60

    /// `MM-LT <ticket id> r<revision>[-undo] <personnel number>`, shortened as the contract says: first the personnel
    /// number goes, then the id becomes `#` and 16 hex digits of its SHA-256 (and the personnel number comes back if it
    /// fits). The marker itself is never cut.
    public static func journalDescription(ticketID: String, revision: Int, undo: Bool = false, personnelNumber: String?) -> String {
        let suffix = "r\(revision)\(undo ? "-undo" : "")"
        let marker = "MM-LT \(markerID(ticketID: ticketID, suffix: suffix)) \(suffix)"
        if let personnelNumber, !personnelNumber.isEmpty, marker.count + 1 + personnelNumber.count <= descriptionLength {
            return marker + " " + personnelNumber
        }
        return marker
    }

    /// How the marker names a ticket: its id, or `#` and 16 hex digits of the id's SHA-256 when the id would make the
    /// marker longer than the field.
    public static func markerID(ticketID: String, suffix: String = "r1") -> String {
        "MM-LT \(ticketID) \(suffix)".count > descriptionLength ? "#" + SHA256Hex.digest(ticketID).prefix(16) : ticketID
    }

    /// Every marker id a ticket's journals can carry: the id itself, and its hashed form (which one a journal has
    /// depends on the length of its revision suffix).
    public static func markerIDs(ticketID: String) -> [String] {
        [ticketID, "#" + SHA256Hex.digest(ticketID).prefix(16)]
    }

    /// The marker id, revision and reversal flag of a journal description this connector wrote; `nil` for any other.
    public static func parseMarker(_ description: String) -> (markerID: String, revision: Int, undo: Bool)? {
        let words = description.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 3, words[0] == "MM-LT", words[2].hasPrefix("r") else { return nil }
        var revisionText = words[2].dropFirst()
        let undo = revisionText.hasSuffix("-undo")
        if undo { revisionText = revisionText.dropLast(5) }
        guard let revision = Int(revisionText), revision > 0 else { return nil }
        return (String(words[1]), revision, undo)
    }

    /// The hours between start and end, rounded half to even to six places.
    public static func hours(from start: Date, to end: Date) -> Decimal {
        let milliseconds = Decimal(Int64((end.timeIntervalSince(start) * 1000).rounded()))
        return DecimalRounding.sixPlaces(milliseconds / 3_600_000)
    }

    /// `ErrorCause` for a scrap reason: material, machine and operator map; anything else is `None`.
    public static func errorCause(_ scrapReasonCode: String?) -> String {
        switch scrapReasonCode?.lowercased() {
        case "material": return "Material"
        case "machine": return "Machine"
        case "operator": return "OperatingStaff"
        default: return "None"
        }
    }

    /// The UTC date of `instant` as F&O writes a date: `YYYY-MM-DDT12:00:00Z`.
    public static func consumptionDate(_ instant: Date) -> String {
        UTCCalendar.dateText(days: Int((instant.timeIntervalSince1970 / 86_400).rounded(.down))) + "T12:00:00Z"
    }

    /// `<dataAreaId>/<JournalNumber>/<JournalLineNumber>`, the line number in its shortest decimal form.
    public static func erpReference(dataAreaID: String, journalNumber: String, lineNumber: Decimal) -> String {
        "\(dataAreaID.lowercased())/\(journalNumber)/\(JSONNumberText.format(lineNumber))"
    }

    /// The body of the journal line for `ticket`, in full (a first revision), with `resourceID` already resolved
    /// (the ticket's, else the operation's) and, for job journals, the route job.
    public static func journalLine(for ticket: LaborTicket, dataAreaID: String, resourceID: String, productionJobID: String?) -> JSONObject {
        var line = JSONObject([
            ("dataAreaId", .string(dataAreaID.lowercased())), ("ProductionOrderNumber", .string(ticket.workOrderNumber)),
            ("RouteOperationNumber", .number(ticket.operationSequence)), ("RouteOperationPriority", .string(ticket.operationPriority)),
            ("OperationsResourceId", .string(resourceID)), ("RegisteredHours", .number(hours(from: ticket.startAt, to: ticket.endAt))),
            ("ReportedGoodInventoryQuantity", .number(ticket.goodQuantity)), ("ReportedErrorInventoryQuantity", .number(ticket.badQuantity)),
            ("ConsumptionDate", .string(consumptionDate(ticket.endAt))), ("IsOperationCompleted", .string(ticket.operationCompleted ? "Yes" : "No")),
            ("ErrorCause", .string(errorCause(ticket.scrapReasonCode))),
            (
                "JournalDescription",
                .string(journalDescription(ticketID: ticket.id, revision: ticket.revision, personnelNumber: ticket.personnelNumber))
            ),
        ])
        if let productionJobID { line["ProductionJobId"] = .string(productionJobID) }
        return line
    }
}
