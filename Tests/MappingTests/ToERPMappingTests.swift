import Foundation
import JSON
import Mapping
import Testing

struct ToERPMappingTests {
    static let ticketJSON = """
        {"id":"lt_01HZX9","revision":2,"workOrderNumber":"P000123","dataAreaId":"USMF","operationSequence":10,"operationPriority":"Primary",
         "resourceId":null,"personnelNumber":"000123","kind":"production","startAt":"2026-11-20T22:30:00Z","endAt":"2026-11-21T00:10:00Z",
         "goodQuantity":40,"badQuantity":2.5,"scrapReasonCode":"MACHINE","operationCompleted":true}
        """

    @Test func aTicketBecomesAJournalLineAsTheContractSays() throws {
        let ticket = try LaborTicket(JSONParser.parse(Self.ticketJSON))
        let line = ToERPMapping.journalLine(for: ticket, dataAreaID: "USMF", resourceID: "1201", productionJobID: nil)
        #expect(
            JSONEncoding.string(.object(line))
                == #"{"dataAreaId":"usmf","ProductionOrderNumber":"P000123","RouteOperationNumber":10,"RouteOperationPriority":"Primary","OperationsResourceId":"1201","RegisteredHours":1.666667,"ReportedGoodInventoryQuantity":40,"ReportedErrorInventoryQuantity":2.5,"ConsumptionDate":"2026-11-21T12:00:00Z","IsOperationCompleted":"Yes","ErrorCause":"Machine","JournalDescription":"MM-LT lt_01HZX9 r2 000123"}"#
        )
        let job = ToERPMapping.journalLine(for: ticket, dataAreaID: "usmf", resourceID: "1201", productionJobID: "J00000042")
        #expect(job["ProductionJobId"]?.stringValue == "J00000042")
    }

    @Test(arguments: [("material", "Material"), ("Machine", "Machine"), ("OPERATOR", "OperatingStaff"), ("other", "None"), (nil, "None")])
    func scrapReasonsMapToErrorCauses(_ code: String?, _ cause: String) {
        #expect(ToERPMapping.errorCause(code) == cause)
    }

    @Test func theMarkerIsShortenedButNeverCut() {
        #expect(ToERPMapping.journalDescription(ticketID: "lt_1", revision: 3, personnelNumber: "000123") == "MM-LT lt_1 r3 000123")
        #expect(ToERPMapping.journalDescription(ticketID: "lt_1", revision: 3, undo: true, personnelNumber: nil) == "MM-LT lt_1 r3-undo")
        let longPersonnel = String(repeating: "9", count: 50)
        #expect(
            ToERPMapping.journalDescription(ticketID: "lt_01HZX9ABCDEFGHJKMNPQRS", revision: 1, personnelNumber: longPersonnel)
                == "MM-LT lt_01HZX9ABCDEFGHJKMNPQRS r1")
        let longID = "lt_" + String(repeating: "X", count: 70)
        let shortened = ToERPMapping.journalDescription(ticketID: longID, revision: 12, personnelNumber: "000123")
        #expect(shortened.hasPrefix("MM-LT #") && shortened.hasSuffix(" r12 000123"))
        #expect(shortened.count <= 60)
        #expect(shortened.split(separator: " ")[1].count == 17)
    }

    @Test func hoursAreRoundedHalfToEvenToSixPlaces() {
        let start = Date(timeIntervalSince1970: 0)
        #expect(ToERPMapping.hours(from: start, to: start.addingTimeInterval(5400)) == Decimal(string: "1.5"))
        #expect(ToERPMapping.hours(from: start, to: start.addingTimeInterval(1)) == Decimal(string: "0.000278"))
        #expect(ToERPMapping.hours(from: start, to: start.addingTimeInterval(4000)) == Decimal(string: "1.111111"))
    }

    @Test func theERPReferenceUsesTheShortestLineNumber() {
        #expect(ToERPMapping.erpReference(dataAreaID: "USMF", journalNumber: "JN-000042", lineNumber: Decimal(string: "1.0")!) == "usmf/JN-000042/1")
        #expect(
            ToERPMapping.erpReference(dataAreaID: "usmf", journalNumber: "JN-000042", lineNumber: Decimal(string: "1.5")!) == "usmf/JN-000042/1.5")
    }

    @Test func aTicketWithoutWhatTheContractRequiresIsRefusedByName() {
        let error = #expect(throws: MappingError.self) { try LaborTicket(JSONParser.parse(#"{"id":"lt_2","revision":1}"#)) }
        #expect(error?.description == "labor ticket lt_2 has no valid workOrderNumber")
    }
}
