import D365
import Foundation
import JSON
import Simulator
import TestSupport
import Testing
import Vocabulary

/// Journal writes through `$batch`, against the simulator on loopback.
struct JournalWriterTests {
    private func writer(_ session: SimulatorSession) -> JournalWriter {
        let parts = D365TestClients(session)
        return JournalWriter(environmentURL: parts.environmentURL, tokens: parts.tokens, client: parts.client, logger: parts.logger)
    }

    /// A line for an operation of a started usmf order.
    private func line(_ session: SimulatorSession, marker: String) throws -> JSONObject {
        let operations = session.simulator.table("ProductionOrderRouteOperations")
        let orders = session.simulator.table("ProductionOrderHeaders")
        let row = try #require(
            (0..<operations.count).first { row in
                guard operations.string(row: row, "dataAreaId") == "usmf", operations.value(row: row, "OperationPriority") == .member(0),
                    let order = orders.row(key: [.string("usmf"), operations.value(row: row, "ProductionOrderNumber")])
                else { return false }
                return orders.value(row: order, "ProductionOrderStatus") == .member(EnumTypes.prodStatus.index(of: "StartedUp")!)
            })
        guard case .integer(let operation) = operations.value(row: row, "OperationNumber") else { throw HarnessError("no operation number") }
        return JSONObject([
            ("dataAreaId", "usmf"), ("ProductionOrderNumber", .string(operations.string(row: row, "ProductionOrderNumber"))),
            ("RouteOperationNumber", .number(Int(operation))), ("RouteOperationPriority", "Primary"), ("RegisteredHours", .number("1.666667")),
            ("ReportedGoodInventoryQuantity", 40), ("ReportedErrorInventoryQuantity", .number("2.5")), ("ConsumptionDate", "2026-11-21T12:00:00Z"),
            ("JournalDescription", .string(marker)),
        ])
    }

    private func lines(_ session: SimulatorSession, marked marker: String) -> [Int] {
        let table = session.simulator.table("RouteCardProductionJournalEntries")
        return (0..<table.count).filter { table.string(row: $0, "JournalDescription") == marker }
    }

    @Test func eachJournalIsItsOwnChangesetAndEveryOutcomeIsRead() async throws {
        try await withSimulator { session in
            var broken = try line(session, marker: "MM-LT bad r1")
            broken["ProductionOrderNumber"] = "P999999"
            let outcomes = try await writer(session).write([
                .init(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT a r1")]),
                .init(entitySet: .routeCardJournal, lines: [broken]),
                .init(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT b r1")]),
            ])
            #expect(outcomes.count == 3)
            guard case .created(let first, let numbers) = outcomes[0], case .refused(let status, let message) = outcomes[1],
                case .created(let third, _) = outcomes[2]
            else {
                Issue.record("unexpected outcomes \(outcomes)")
                return
            }
            #expect(first.hasPrefix("JN-") && third.hasPrefix("JN-") && first != third)
            #expect(numbers == [1])
            #expect(status == 500 && message.contains("Production order P999999 does not exist"))
            #expect(lines(session, marked: "MM-LT a r1").count == 1 && lines(session, marked: "MM-LT b r1").count == 1)
            #expect(lines(session, marked: "MM-LT bad r1").isEmpty)
            let journals = session.simulator.table("RouteCardProductionJournalEntries")
            let row = try #require(lines(session, marked: "MM-LT a r1").first)
            #expect(journals.value(row: row, "RegisteredHours") == .decimal(1_666_667), "decimals arrive exact")
        }
    }

    @Test func aLostAnswerIsReportedAsUnknownAndIsNeverSentAgain() async throws {
        try await withSimulator { session in
            session.simulator.addFaults([FaultRule(service: .d365, method: "POST", path: "$batch", action: .loseAnswer)])
            let writes = [JournalWriter.Journal(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT lost r1")])]
            await #expect(throws: JournalWriter.OutcomeUnknown.self) { try await writer(session).write(writes) }
            #expect(lines(session, marked: "MM-LT lost r1").count == 1, "D365 committed it once, and the writer did not send it again")
            #expect(session.simulator.requestLog.count(service: .d365, method: "POST", path: "$batch") == 1)
        }
    }

    @Test func throttlingBeforeProcessingIsWaitedOutForAsLongAsRetryAfterSays() async throws {
        try await withSimulator({ $0.faults = [try! FaultRule(parsing: "service=d365,path=$batch,status=429,retry-after=3,times=1")] }) { session in
            let parts = D365TestClients(session)
            let writer = JournalWriter(environmentURL: parts.environmentURL, tokens: parts.tokens, client: parts.client, logger: parts.logger)
            let outcomes = try await writer.write([.init(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT t r1")])])
            guard case .created? = outcomes.first else {
                Issue.record("\(outcomes)")
                return
            }
            #expect(lines(session, marked: "MM-LT t r1").count == 1)
            #expect(parts.waits.all == [3], "one wait, of the seconds D365 asked for")
        }
    }

    @Test func postingPostsManyJournalsInOneBatchAndAMissingMaintainPrivilegeIsNamed() async throws {
        try await withSimulator { session in
            let outcomes = try await writer(session).write([
                .init(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT p r1")]),
                .init(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT q r1")]),
            ])
            let journals = outcomes.compactMap { if case .created(let journal, _) = $0 { journal } else { nil } }
            #expect(journals.count == 2)
            let problems = try await writer(session).post(
                journalNumbers: journals, dataAreaID: "usmf", entitySet: .routeCardJournal, action: "PostJournal")
            #expect(problems.isEmpty)
            #expect(session.simulator.requestLog.count(service: .d365, method: "POST", path: "$batch") == 2, "one batch wrote both, one posted both")
            for marker in ["MM-LT p r1", "MM-LT q r1"] {
                let row = try #require(lines(session, marked: marker).first)
                #expect(session.simulator.table("RouteCardProductionJournalEntries").value(row: row, "IsPosted") == .member(1))
            }
            let again = try await writer(session).post(
                journalNumbers: [journals[0], "JN-NOPE"], dataAreaID: "usmf", entitySet: .routeCardJournal, action: "PostJournal")
            #expect(again[journals[0]]?.contains("already been posted") == true)
            #expect(again["JN-NOPE"] != nil, "each journal gets its own answer")

            session.simulator.setMissingPrivileges(["ProdRouteCardJournalEntryEntityMaintain"])
            let error = await #expect(throws: D365Error.self) {
                try await writer(session).write([.init(entitySet: .routeCardJournal, lines: [try line(session, marker: "MM-LT f r1")])])
            }
            #expect(error?.description.contains("ProdRouteCardJournalEntryEntityMaintain") == true)
        }
    }
}
