import Foundation
import HTTP
import Simulator
import TestSupport
import Testing

struct MachineMetricsTests {
    private func workOrder(_ number: String) -> [String: Any] {
        ["key": "usmf/\(number)", "dataAreaId": "usmf", "number": number, "status": "released", "quantityRequired": 120]
    }

    private func put(_ session: SimulatorSession, _ collection: String, batch: String, records: [[String: Any]], token: String, key: String? = nil)
        async throws -> HTTPResponse
    {
        try await session.machineMetrics(
            "PUT", "/v1/erp/\(collection)", token: token, headers: [("Idempotency-Key", key ?? batch)],
            body: ["source": "d365fo", "batchId": batch, "records": records])
    }

    @Test func theMappingServiceTokenIsExchangedForAnAccessToken() async throws {
        try await withSimulator({ $0.machineMetricsTokenLifetimeSeconds = 600 }) { session in
            let response = try await session.send(
                .json(
                    method: "POST", url: session.setting("MAPPING_AUTH_SERVICE_URL") + "/v1/token",
                    body: JSON.bytes(["token": session.setting("MAPPING_SERVICE_TOKEN")])))
            #expect(response.status == 200)
            #expect(response.jsonObject?["tokenType"] as? String == "Bearer")
            #expect(response.jsonObject?["expiresIn"] as? Int == 600)
            let refused = try await session.send(
                .json(
                    method: "POST", url: session.setting("MAPPING_AUTH_SERVICE_URL") + "/v1/token",
                    body: JSON.bytes(["token": "revoked"])))
            #expect(refused.status == 401)
            let unauthorized = try await put(session, "work-orders", batch: "b0", records: [], token: "mmat_forged")
            #expect(unauthorized.status == 401)
        }
    }

    @Test func aBatchIsUpsertedAndTheSameBatchAgainChangesNothing() async throws {
        try await withSimulator { session in
            let token = try await session.machineMetricsToken()
            let first = try await put(
                session, "work-orders", batch: "wo-0001-aaaaaaaaaaaa", records: [workOrder("P000001"), workOrder("P000002")], token: token)
            #expect(first.status == 200)
            #expect(first.jsonObject?["accepted"] as? Int == 2)
            #expect((first.jsonObject?["rejected"] as? [Any])?.isEmpty == true)
            // The same meaning in another key order is the same batch.
            let replay = try await session.send(
                HTTPRequest(
                    method: "PUT", url: session.setting("MAPPING_SERVICE_URL") + "/v1/erp/work-orders",
                    headers: [
                        ("Authorization", "Bearer \(token)"), ("Idempotency-Key", "wo-0001-aaaaaaaaaaaa"), ("Content-Type", "application/json"),
                    ],
                    body: Array(
                        #"{"records":[{"status":"released","number":"P000001","key":"usmf/P000001","dataAreaId":"usmf","quantityRequired":120},{"key":"usmf/P000002","dataAreaId":"usmf","number":"P000002","status":"released","quantityRequired":120}],"batchId":"wo-0001-aaaaaaaaaaaa","source":"d365fo"}"#
                            .utf8)))
            #expect(replay.status == 200)
            #expect(replay.body == first.body)
            #expect(session.simulator.receivedRecords("work-orders").mapValues(\.timesReceived) == ["usmf/P000001": 1, "usmf/P000002": 1])
            let conflict = try await put(session, "work-orders", batch: "wo-0001-aaaaaaaaaaaa", records: [workOrder("P000003")], token: token)
            #expect(conflict.status == 409)
            #expect(session.simulator.receivedRecords("work-orders")["usmf/P000003"] == nil)
        }
    }

    @Test func badBatchesAreRefusedAndNotRemembered() async throws {
        try await withSimulator { session in
            let token = try await session.machineMetricsToken()
            let noKey = try await session.machineMetrics(
                "PUT", "/v1/erp/work-orders", token: token, body: ["source": "d365fo", "batchId": "b1", "records": [workOrder("P1")]])
            #expect(noKey.status == 400)
            #expect(noKey.jsonObject?["code"] as? String == "ValidationError")
            #expect(try await put(session, "work-orders", batch: "b1", records: [workOrder("P1")], token: token, key: "other").status == 400)
            let tooMany = try await put(session, "work-orders", batch: "b2", records: (0..<1001).map { workOrder("P\($0)") }, token: token)
            #expect(tooMany.status == 413)
            #expect(session.simulator.receivedRecords("work-orders").isEmpty)
            // A batch refused with 4xx may be sent again once fixed.
            #expect(try await put(session, "work-orders", batch: "b1", records: [workOrder("P1")], token: token).status == 200)
        }
    }

    @Test func recordsAreRejectedOneByOneInsideA200() async throws {
        try await withSimulator { session in
            let token = try await session.machineMetricsToken()
            _ = try await put(session, "work-orders", batch: "wo", records: [workOrder("P000001")], token: token)
            let operations: [[String: Any]] = [
                ["key": "usmf/P000001/10/Primary", "workOrderKey": "usmf/P000001", "sequence": 10],
                ["key": "usmf/P000404/10/Primary", "workOrderKey": "usmf/P000404", "sequence": 10],
                ["workOrderKey": "usmf/P000001", "sequence": 20],
            ]
            let response = try await put(session, "operations", batch: "op", records: operations, token: token)
            #expect(response.status == 200)
            #expect(response.jsonObject?["accepted"] as? Int == 1)
            let rejected = try #require(response.jsonObject?["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["index"] as? Int } == [1, 2])
            #expect(rejected.map { $0["code"] as? String } == ["InvalidReference", "MissingField"])
            #expect(Set(session.simulator.receivedRecords("operations").keys) == ["usmf/P000001/10/Primary"])
        }
    }

    @Test func pendingTicketsPageByCursorEvenWhileTicketsAreAcknowledged() async throws {
        try await withSimulator({ $0.dataSet.laborTickets = 23 }) { session in
            let token = try await session.machineMetricsToken()
            let pending = session.simulator.laborTickets().filter(\.isPending).map(\.id)
            #expect(pending.count == 22, "one ticket in twelve is still open on the shop floor")
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/erp/labor-tickets/pending?limit=5" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await session.machineMetrics("GET", path, token: token)
                #expect(page.status == 200)
                let items = try #require(page.jsonObject?["items"] as? [[String: Any]])
                seen += items.map { $0["id"] as! String }
                // Acknowledge what this page brought before asking for the next one.
                let acknowledgements = items.map {
                    ["id": $0["id"]!, "revision": $0["revision"]!, "status": "exported", "erpReference": "usmf/JN-1/1"]
                }
                let acknowledged = try await session.machineMetrics(
                    "POST", "/v1/erp/labor-tickets/acknowledgements", token: token, body: ["items": acknowledgements])
                #expect(acknowledged.jsonObject?["updated"] as? Int == items.count)
                cursor = page.jsonObject?["nextCursor"] as? String
                pages += 1
            } while cursor != nil
            #expect(seen == pending)
            #expect(pages == 5)
            let after = try await session.machineMetrics("GET", "/v1/erp/labor-tickets/pending", token: token)
            #expect((after.jsonObject?["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func failedTicketsStayPendingAndRevisedTicketsComeBack() async throws {
        try await withSimulator({ $0.dataSet.laborTickets = 12 }) { session in
            let token = try await session.machineMetricsToken()
            let tickets = session.simulator.laborTickets().filter(\.isPending)
            let failed = tickets[0]
            let exported = tickets[1]
            let response = try await session.machineMetrics(
                "POST", "/v1/erp/labor-tickets/acknowledgements", token: token,
                body: [
                    "items": [
                        ["id": failed.id, "revision": 1, "status": "failed", "message": "operation 30 not found on P000124"],
                        ["id": exported.id, "revision": 1, "status": "exported", "erpReference": "usmf/JN-000042/1"],
                    ]
                ])
            #expect(response.jsonObject?["updated"] as? Int == 2)
            func pendingIDs() async throws -> [String] {
                let page = try await session.machineMetrics("GET", "/v1/erp/labor-tickets/pending?limit=1000", token: token)
                return (page.jsonObject?["items"] as? [[String: Any]])?.map { $0["id"] as! String } ?? []
            }
            #expect(try await pendingIDs().contains(failed.id))
            #expect(try await !pendingIDs().contains(exported.id))
            #expect(session.simulator.laborTickets().first { $0.id == failed.id }?.failureMessage == "operation 30 not found on P000124")
            try session.simulator.reviseLaborTicket(id: exported.id) { $0.goodQuantity += 5_000_000 }
            let page = try await session.machineMetrics("GET", "/v1/erp/labor-tickets/pending?limit=1000", token: token)
            let revised = try #require((page.jsonObject?["items"] as? [[String: Any]])?.first { $0["id"] as? String == exported.id })
            #expect(revised["revision"] as? Int == 2)
            let invalid = try await session.machineMetrics(
                "POST", "/v1/erp/labor-tickets/acknowledgements", token: token,
                body: ["items": [["id": failed.id, "revision": 1, "status": "exported"]]])
            #expect(invalid.status == 422)
            #expect(try await session.machineMetrics("GET", "/v1/erp/labor-tickets/pending?limit=1001", token: token).status == 400)
        }
    }

    @Test func ticketsHaveTheContractsShape() async throws {
        try await withSimulator { session in
            let token = try await session.machineMetricsToken()
            let page = try await session.machineMetrics("GET", "/v1/erp/labor-tickets/pending?limit=50", token: token)
            let items = try #require(page.jsonObject?["items"] as? [[String: Any]])
            #expect(!items.isEmpty)
            for item in items {
                #expect(
                    Set(item.keys) == [
                        "id", "revision", "workOrderNumber", "dataAreaId", "operationSequence", "operationPriority", "resourceId",
                        "personnelNumber", "kind", "startAt", "endAt", "goodQuantity", "badQuantity", "scrapReasonCode", "operationCompleted",
                    ])
                #expect(["setup", "production"].contains(item["kind"] as? String))
                #expect((item["endAt"] as? String)?.hasSuffix("Z") == true)
            }
        }
    }
}
