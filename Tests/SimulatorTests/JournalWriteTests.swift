import Foundation
import HTTP
import Simulator
import TestSupport
import Testing

struct JournalWriteTests {
    /// An operation of a released or started order of usmf, and its resource: something a journal line can be written for.
    private func writableOperation(_ session: SimulatorSession) throws -> [String: Any] {
        let orders = session.simulator.table("ProductionOrderHeaders")
        let operations = session.simulator.table("ProductionOrderRouteOperations")
        for row in 0..<operations.count where operations.string(row: row, "dataAreaId") == "usmf" {
            let order = operations.string(row: row, "ProductionOrderNumber")
            let orderRow = try #require(orders.row(key: [.string("usmf"), .string(order)]))
            guard case .member(let status) = orders.value(row: orderRow, "ProductionOrderStatus"),
                ["Released", "StartedUp"].contains(EnumTypes.prodStatus.members[status].name),
                case .integer(let number) = operations.value(row: row, "OperationNumber"),
                case .member(let priority) = operations.value(row: row, "OperationPriority"), priority == 0
            else { continue }
            return ["ProductionOrderNumber": order, "RouteOperationNumber": number, "RouteOperationPriority": "Primary"]
        }
        throw HarnessError("no writable operation in the data set")
    }

    private func line(_ operation: [String: Any], marker: String, hours: Double = 1.5) -> [String: Any] {
        operation.merging([
            "dataAreaId": "usmf", "RegisteredHours": hours, "ReportedGoodInventoryQuantity": 40, "ReportedErrorInventoryQuantity": 2,
            "ConsumptionDate": "2026-11-20T12:00:00Z", "IsOperationCompleted": "No", "ErrorCause": "Material", "JournalDescription": marker,
        ]) { current, _ in current }
    }

    private func post(_ session: SimulatorSession, _ body: [String: Any], token: String) async throws -> HTTPResponse {
        try await session.send(
            .json(
                method: "POST", url: session.odataURL("RouteCardProductionJournalEntries"),
                headers: [("Authorization", "Bearer \(token)")], body: JSON.bytes(body)))
    }

    private func linesMarked(_ marker: String, _ session: SimulatorSession) -> [Int] {
        let table = session.simulator.table("RouteCardProductionJournalEntries")
        return (0..<table.count).filter { table.string(row: $0, "JournalDescription") == marker }
    }

    @Test func postingWithoutAJournalNumberCreatesAJournalAndItsFirstLine() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let operation = try writableOperation(session)
            let created = try await post(session, line(operation, marker: "MM-LT lt_1 r1 000001"), token: token)
            #expect(created.status == 201)
            let body = try #require(created.jsonObject)
            let journal = try #require(body["JournalNumber"] as? String)
            #expect(journal.hasPrefix("JN-"))
            #expect(body["JournalLineNumber"] as? Int == 1)
            #expect(body["IsPosted"] as? String == "No")
            #expect(body["ProductionSiteId"] as? String != "")
            #expect(created.text.contains("\"RegisteredHours\":1.5"))
            let second = try await post(
                session, line(operation, marker: "ignored", hours: 0.25).merging(["JournalNumber": journal]) { _, new in new }, token: token)
            #expect(second.status == 201)
            #expect(second.jsonObject?["JournalLineNumber"] as? Int == 2)
            #expect(second.jsonObject?["JournalDescription"] as? String == "MM-LT lt_1 r1 000001", "the header's description is shared")
        }
    }

    /// A date field keeps the day alone: whatever time a client writes, F&O gives it back at 12:00:00Z.
    @Test(arguments: ["2026-11-20", "2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z", "2026-11-20T12:00:00Z"])
    func aDateIsKeptAsItsDayAndReadBackAtNoon(_ written: String) async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let body = line(try writableOperation(session), marker: "date \(written)").merging(["ConsumptionDate": written]) { _, new in new }
            let created = try await post(session, body, token: token)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.jsonObject?["ConsumptionDate"] as? String == "2026-11-20T12:00:00Z")
        }
    }

    @Test(arguments: [
        ("unknown order", "Production order P999999 does not exist"),
        ("unknown operation", "Operation 990 does not exist"),
        ("unknown resource", "Resource NO-SUCH does not exist"),
    ])
    func aLineThatFailsValidationIsA500WithTheInfolog(_ situation: String, _ infolog: String) async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            var body = line(try writableOperation(session), marker: "MM-LT bad r1")
            switch situation {
            case "unknown order": body["ProductionOrderNumber"] = "P999999"
            case "unknown operation": body["RouteOperationNumber"] = 990
            default: body["OperationsResourceId"] = "NO-SUCH"
            }
            let response = try await post(session, body, token: token)
            #expect(response.status == 500)
            let inner = try #require((response.jsonObject?["error"] as? [String: Any])?["innererror"] as? [String: Any])
            #expect((inner["type"] as? String)?.contains("AxODataWriteException") == true)
            #expect((inner["message"] as? String)?.contains(infolog) == true, "\(inner)")
            #expect(linesMarked("MM-LT bad r1", session).isEmpty)
        }
    }

    @Test func aLineForAnEndedOrderIsRefused() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let orders = session.simulator.table("ProductionOrderHeaders")
            let ended = try #require(
                (0..<orders.count).first {
                    orders.string(row: $0, "dataAreaId") == "usmf"
                        && orders.value(row: $0, "ProductionOrderStatus") == .member(EnumTypes.prodStatus.index(of: "Completed")!)
                })
            let body = line(
                [
                    "ProductionOrderNumber": orders.string(row: ended, "ProductionOrderNumber"), "RouteOperationNumber": 10,
                    "RouteOperationPriority": "Primary",
                ], marker: "MM-LT ended r1")
            let response = try await post(session, body, token: token)
            #expect(response.status == 500)
            #expect(response.text.contains("is ended"))
        }
    }

    @Test func aChangesetIsAllOrNothingAndTheBatchAnswers200Regardless() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let operation = try writableOperation(session)
            var broken = line(operation, marker: "MM-LT c2 r1")
            broken["ProductionOrderNumber"] = "P999999"
            let body = Self.batchBody(
                boundary: "batch_1",
                changesets: [
                    [line(operation, marker: "MM-LT c1 r1")],
                    [line(operation, marker: "MM-LT c2 r1 good half"), broken],
                    [line(operation, marker: "MM-LT c3 r1")],
                ])
            let response = try await session.send(
                HTTPRequest(
                    method: "POST", url: session.odataURL("$batch"),
                    headers: [
                        ("Authorization", "Bearer \(token)"), ("Content-Type", "multipart/mixed; boundary=batch_1"),
                    ], body: Array(body.utf8)))
            #expect(response.status == 200)
            let statuses = response.text.components(separatedBy: "\r\n").filter { $0.hasPrefix("HTTP/1.1 ") }
            #expect(statuses == ["HTTP/1.1 201 Created", "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 201 Created"])
            #expect(response.text.contains("AxODataWriteException"))
            #expect(linesMarked("MM-LT c1 r1", session).count == 1)
            #expect(linesMarked("MM-LT c2 r1 good half", session).isEmpty, "the valid half of a failed changeset is rolled back")
            #expect(linesMarked("MM-LT c3 r1", session).count == 1)
        }
    }

    @Test func thePostingActionPostsTheWholeJournal() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let created = try await post(session, line(try writableOperation(session), marker: "MM-LT p1 r1"), token: token)
            let journal = try #require(created.jsonObject?["JournalNumber"] as? String)
            let action = session.odataURL("RouteCardProductionJournalEntries/Microsoft.Dynamics.DataEntities.PostJournal")
            let posted = try await session.send(
                .json(
                    method: "POST", url: action, headers: [("Authorization", "Bearer \(token)")],
                    body: JSON.bytes(["dataAreaId": "usmf", "JournalNumber": journal])))
            #expect(posted.status == 204)
            let read = try await session.odata(
                "RouteCardProductionJournalEntries", [("cross-company", "true"), ("$filter", "JournalNumber eq '\(journal)'")], token: token)
            let rows = try #require(read.jsonObject?["value"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["IsPosted"] as? String == "Yes")
            #expect(rows.first?["PostedDateTime"] as? String != "1900-01-01T12:00:00Z")
            let again = try await session.send(
                .json(
                    method: "POST", url: action, headers: [("Authorization", "Bearer \(token)")],
                    body: JSON.bytes(["dataAreaId": "usmf", "JournalNumber": journal])))
            #expect(again.status == 500)
            #expect(again.text.contains("already been posted"))
        }
    }

    @Test func withoutTheMaintainPrivilegeWritesAreForbidden() async throws {
        try await withSimulator({ $0.missingPrivileges = ["ProdRouteCardJournalEntryEntityMaintain"] }) { session in
            let token = try await session.d365Token()
            let response = try await post(session, line(try writableOperation(session), marker: "MM-LT f1 r1"), token: token)
            #expect(response.status == 403)
            #expect(response.text.contains("ProdRouteCardJournalEntryEntityMaintain"))
            #expect(try await session.odata("RouteCardProductionJournalEntries", [("cross-company", "true")], token: token).status == 200)
        }
    }

    static func batchBody(boundary: String, changesets: [[[String: Any]]]) -> String {
        var text = ""
        for (number, lines) in changesets.enumerated() {
            let changeset = "changeset_\(number)"
            text += "--\(boundary)\r\nContent-Type: multipart/mixed; boundary=\(changeset)\r\n\r\n"
            for (index, line) in lines.enumerated() {
                text += "--\(changeset)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: \(index + 1)\r\n\r\n"
                text += "POST RouteCardProductionJournalEntries HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
                text += String(decoding: JSON.bytes(line), as: UTF8.self) + "\r\n"
            }
            text += "--\(changeset)--\r\n"
        }
        return text + "--\(boundary)--\r\n"
    }
}
