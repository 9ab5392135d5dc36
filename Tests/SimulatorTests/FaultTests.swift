import Foundation
import HTTP
import Simulator
import TestSupport
import Testing

struct FaultTests {
    @Test func throttlingAnswers429WithRetryAfterThenLetsRequestsThrough() async throws {
        try await withSimulator({ $0.faults = [try! FaultRule(parsing: "service=d365,path=Workers,status=429,retry-after=7,times=2")] }) { session in
            let token = try await session.d365Token()
            for _ in 0..<2 {
                let throttled = try await session.odata("Workers", token: token)
                #expect(throttled.status == 429)
                #expect(throttled.header("Retry-After") == "7")
            }
            #expect(try await session.odata("Workers", token: token).status == 200)
            #expect(try await session.odata("ProductionOrderHeaders", token: token).status == 200, "other paths were never hit")
            #expect(session.simulator.faultsFired() == [2])
        }
    }

    @Test func afterLetsTheFirstRequestsPassAndAlwaysNeverStops() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            session.simulator.addFaults([FaultRule(service: .d365, path: "Workers", action: .status(503, retryAfterSeconds: 2), after: 2, times: nil)]
            )
            let statuses = try await (0..<6).asyncMap { _ in try await session.odata("Workers", token: token).status }
            #expect(statuses == [200, 200, 503, 503, 503, 503])
            session.simulator.clearFaults()
            #expect(try await session.odata("Workers", token: token).status == 200)
        }
    }

    @Test(arguments: [500, 502, 504])
    func serverErrorsAreAnsweredAsScripted(_ status: Int) async throws {
        try await withSimulator({ $0.faults = [FaultRule(service: .mm, action: .status(status, retryAfterSeconds: nil))] }) { session in
            let response = try await session.send(
                .json(
                    method: "POST", url: session.setting("MAPPING_AUTH_SERVICE_URL") + "/v1/token",
                    body: JSON.bytes(["token": session.setting("MAPPING_SERVICE_TOKEN")])))
            #expect(response.status == status)
            #expect(try await session.machineMetricsToken().hasPrefix("mmat_"))
        }
    }

    @Test func aSlowAnswerArrivesLateAndATimeoutCutsItOff() async throws {
        // The second answer is held far longer than the timeout, so that even a machine too busy to run the client's
        // timer on time cannot let the answer win.
        try await withSimulator({
            $0.faults = [
                FaultRule(service: .d365, path: "Workers", action: .slow(seconds: 3), times: 1),
                FaultRule(service: .d365, path: "Workers", action: .slow(seconds: 120), times: nil),
            ]
        }) { session in
            let token = try await session.d365Token()
            let clock = ContinuousClock()
            let started = clock.now
            #expect(try await session.odata("Workers", token: token).status == 200)
            #expect(clock.now - started >= .seconds(3))
            let error = await #expect(throws: HTTPTransportError.self) {
                try await session.send(
                    HTTPRequest(url: session.odataURL("Workers"), headers: [("Authorization", "Bearer \(token)")]), timeout: .milliseconds(500))
            }
            #expect(error?.kind == .timedOut)
        }
    }

    @Test func hangingUpLeavesTheClientWithoutAnAnswer() async throws {
        try await withSimulator({ $0.faults = [FaultRule(service: .mm, action: .hangUp, times: nil)] }) { session in
            let error = await #expect(throws: HTTPTransportError.self) { try await session.machineMetricsToken() }
            #expect(error?.kind == .connectionLost || error?.kind == .connectionFailed)
        }
    }

    @Test func aLostAnswerStillCommitsTheWrite() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            session.simulator.addFaults([FaultRule(service: .d365, method: "POST", path: "RouteCardProductionJournalEntries", action: .loseAnswer)])
            let operations = session.simulator.table("ProductionOrderRouteOperations")
            let orders = session.simulator.table("ProductionOrderHeaders")
            let row = try #require(
                (0..<operations.count).first { row in
                    let order = orders.row(key: [operations.value(row: row, "dataAreaId"), operations.value(row: row, "ProductionOrderNumber")])!
                    return operations.string(row: row, "dataAreaId") == "usmf" && operations.value(row: row, "OperationPriority") == .member(0)
                        && orders.value(row: order, "ProductionOrderStatus") == .member(EnumTypes.prodStatus.index(of: "StartedUp")!)
                })
            let body: [String: Any] = [
                "dataAreaId": "usmf", "ProductionOrderNumber": operations.string(row: row, "ProductionOrderNumber"),
                "RouteOperationNumber": { if case .integer(let n) = operations.value(row: row, "OperationNumber") { n } else { 0 } }(),
                "RouteOperationPriority": "Primary", "RegisteredHours": 2, "JournalDescription": "MM-LT lost r1",
            ]
            await #expect(throws: HTTPTransportError.self) {
                try await session.send(
                    .json(
                        method: "POST", url: session.odataURL("RouteCardProductionJournalEntries"),
                        headers: [("Authorization", "Bearer \(token)")], body: JSON.bytes(body)))
            }
            let journals = session.simulator.table("RouteCardProductionJournalEntries")
            #expect((0..<journals.count).filter { journals.string(row: $0, "JournalDescription") == "MM-LT lost r1" }.count == 1)
        }
    }

    @Test func aPageCanComeBackAsHTMLOrCutShort() async throws {
        try await withSimulator({
            $0.faults = [FaultRule(service: .d365, path: "Workers", action: .notJSON), FaultRule(service: .d365, path: "Workers", action: .truncate)]
        }) { session in
            let token = try await session.d365Token()
            let html = try await session.odata("Workers", token: token)
            #expect(html.status == 200)
            #expect(html.jsonObject == nil)
            #expect(html.header("Content-Type") == "text/html")
            let cut = try await session.odata("Workers", token: token)
            #expect(cut.status == 200)
            #expect(cut.jsonObject == nil)
            #expect(cut.text.hasPrefix("{\"@odata.context\""))
            let whole = try await session.odata("Workers", token: token)
            #expect(whole.jsonObject != nil)
        }
    }

    @Test func expiringTokensMidRunTurnsTheNextCallInto401() async throws {
        try await withSimulator({ $0.faults = [FaultRule(service: .d365, path: "Workers", action: .expireTokens, after: 1)] }) { session in
            let token = try await session.d365Token()
            #expect(try await session.odata("Workers", token: token).status == 200)
            #expect(try await session.odata("Workers", token: token).status == 401)
            #expect(try await session.odata("Workers", token: try await session.d365Token()).status == 200)
        }
    }

    @Test func faultRulesParseFromFlagsAndScenarioFiles() throws {
        let rule = try FaultRule(parsing: "service=mm,method=put,path=/v1/erp/work-orders,status=503,after=1,times=always")
        #expect(
            rule
                == FaultRule(
                    service: .mm, method: "PUT", path: "/v1/erp/work-orders", action: .status(503, retryAfterSeconds: 1), after: 1, times: nil))
        let decoded = try JSONDecoder().decode(
            Scenario.self, from: Data(#"{"faults": [{"service": "d365", "loseAnswer": true, "times": 2}], "pageSize": 5}"#.utf8))
        #expect(decoded.faults == [FaultRule(service: .d365, action: .loseAnswer, times: 2)])
        #expect(decoded.pageSize == 5)
        #expect(throws: SimulatorError.self) { try FaultRule(parsing: "service=d365,status=200") }
        #expect(throws: SimulatorError.self) { try FaultRule(parsing: "service=sap,hang-up") }
        #expect(throws: SimulatorError.self) { try FaultRule(parsing: "service=d365") }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
