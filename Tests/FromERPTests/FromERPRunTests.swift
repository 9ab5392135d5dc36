import Foundation
import Hashing
import JSON
import Simulator
import Spool
import TestSupport
import Testing

@testable import StateStore

/// `d365mm run from-erp`, the built binary, against the simulator on loopback.
struct FromERPRunTests {
    /// Runs `body` with a simulator and a connector instance whose spool is a fresh folder.
    func withConnector(
        _ configure: (inout SimulatorOptions) -> Void = { _ in }, extra: [String: String] = [:],
        _ body: (ConnectorHarness) async throws -> Void
    ) async throws {
        try await withSimulator({ options in
            options.dataSet.orders = 160
            options.pageSize = 40
            configure(&options)
        }) { session in
            try await withTemporaryDirectory { directory in
                try await body(ConnectorHarness(session: session, spoolDirectory: directory + "/spool", extra: extra))
            }
        }
    }

    private func received(_ harness: ConnectorHarness) -> [String: [String: Simulator.ReceivedRecord]] {
        Dictionary(
            uniqueKeysWithValues: ["work-orders", "operations", "parts", "resources", "persons"].map {
                ($0, harness.session.simulator.receivedRecords($0))
            })
    }

    @Test func theFirstRunSendsEverythingInScopeAndNothingOutOfIt() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            let expected = ExpectedFromERP(harness.session.simulator)
            #expect(!expected.workOrders.isEmpty && !expected.operations.isEmpty)
            for (collection, keys) in expected.byCollection {
                #expect(Set(harness.session.simulator.receivedRecords(collection).keys) == keys, "\(collection)")
            }
            let order = try #require(harness.session.simulator.receivedRecords("work-orders")[expected.workOrders.sorted()[0]]?.object)
            #expect(["released", "started", "reported-finished"].contains(order["status"] as? String))
            #expect(
                harness.files("inbox").isEmpty && harness.files("outbound").isEmpty && harness.files("failed").isEmpty && harness.files("tmp").isEmpty
            )
            #expect(harness.files("posted").contains { $0.hasSuffix(".receipt.json") })
            #expect(harness.files("posted").filter { $0.contains("_from-erp_pages_") }.count == 1, "one item names every page pulled")
            #expect(!harness.files("pages").isEmpty)
            // The batch id the contract prescribes: the file's stem and 12 hex digits of its records' canonical SHA-256.
            let receiptName = try #require(harness.files("posted").first { $0.contains("_work-orders_") && $0.hasSuffix(".receipt.json") })
            let receipt = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(harness.spoolDirectory)/posted/\(receiptName)"))))
            let batchName = try #require(receipt["item"]?.stringValue)
            let batch = try Envelope.decode(
                Array(try Data(contentsOf: URL(fileURLWithPath: "\(harness.spoolDirectory)/posted/\(batchName)"))),
                expectedSchema: Envelope.outboundSchema)
            let digest = SHA256Hex.digest(JSONEncoding.bytes(.array(batch.records), style: .canonical))
            #expect(receipt["batchId"]?.stringValue == batchName.dropLast(".json".count) + "-" + digest.prefix(12))
            let database = try StateDatabase(path: harness.spoolDirectory + "/state.sqlite")
            let run = try #require(try database.recentRuns(limit: 1).first)
            #expect(run.outcome == "success" && run.exitCode == 0)
            #expect(harness.leakedSecrets(in: [result.standardOutput, result.standardError, harness.spoolText()]).isEmpty)
        }
    }

    @Test func aSecondRunSendsNothingAndAChangedOrderAloneGoesAgain() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let puts = harness.session.simulator.requestLog.count(service: .mm, method: "PUT")
            let again = try await harness.run(["run", "from-erp"])
            #expect(again.status == 0)
            #expect(harness.session.simulator.requestLog.count(service: .mm, method: "PUT") == puts, "nothing unchanged is re-sent")
            #expect(received(harness).values.allSatisfy { $0.values.allSatisfy { $0.timesReceived == 1 } })

            let order = try #require(ExpectedFromERP(harness.session.simulator).workOrders.sorted().first)
            let number = String(order.split(separator: "/")[1])
            try harness.session.simulator.update(
                "ProductionOrderHeaders", key: ["dataAreaId": "usmf", "ProductionOrderNumber": number],
                set: ["ScheduledQuantity": 777.5, "ProductionOrderName": "Changed in D365"])
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let records = received(harness)
            let changed = records.flatMap { collection, byKey in byKey.filter { $0.value.timesReceived > 1 }.map { "\(collection):\($0.key)" } }
            #expect(changed == ["work-orders:\(order)"])
            let record = try #require(records["work-orders"]?[order]?.object)
            #expect((record["quantityRequired"] as? NSNumber)?.doubleValue == 777.5)
            #expect(record["name"] as? String == "Changed in D365")
        }
    }

    @Test func aChangeThatIsUndoneIsSentBothTimes() async throws {
        // Rows met again are looked up by digest instead of mapped: a row back to an earlier content must still go.
        try await withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let order = try #require(ExpectedFromERP(harness.session.simulator).workOrders.sorted().first)
            let key = ["dataAreaId": "usmf", "ProductionOrderNumber": String(order.split(separator: "/")[1])]
            let original = try #require(harness.session.simulator.receivedRecords("work-orders")[order]?.object["name"] as? String)
            try harness.session.simulator.update("ProductionOrderHeaders", key: key, set: ["ProductionOrderName": "Renamed for a day"])
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            try harness.session.simulator.update("ProductionOrderHeaders", key: key, set: ["ProductionOrderName": original])
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let received = try #require(harness.session.simulator.receivedRecords("work-orders")[order])
            #expect(received.timesReceived == 3)
            #expect(received.object["name"] as? String == original)
        }
    }

    @Test func rowsRememberedUnderAnEarlierMappingRevisionAreMappedAgain() async throws {
        // As after an upgrade whose mapping makes other records of the same rows: every record of a collection whose rows
        // were remembered under another revision is mapped again and, where it differs from what MachineMetrics holds, sent.
        try await withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            do {
                let database = try StateDatabase(path: harness.spoolDirectory + "/state.sqlite")
                try database.connection.run(
                    "UPDATE source_digest_contexts SET context = 'd365mm-row/0/usmf/1/ProductionOrderHeaders' WHERE collection = 'work-orders'")
                try database.connection.run("UPDATE record_hashes SET hash = 'made by revision 0' WHERE collection = 'work-orders'")
            }
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let records = received(harness)
            #expect(records["work-orders"]?.values.allSatisfy { $0.timesReceived == 2 } == true)
            #expect(records.filter { $0.key != "work-orders" }.values.allSatisfy { $0.values.allSatisfy { $0.timesReceived == 1 } })
        }
    }

    @Test func anOrderThatLeavesTheSetIsSentOnceWithItsNewStatus() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let orders = ExpectedFromERP(harness.session.simulator).workOrders.sorted()
            let (ended, moved) = (String(orders[0].split(separator: "/")[1]), String(orders[1].split(separator: "/")[1]))
            try harness.session.simulator.update(
                "ProductionOrderHeaders", key: ["dataAreaId": "usmf", "ProductionOrderNumber": ended], set: ["ProductionOrderStatus": "Completed"])
            try harness.session.simulator.update(
                "ProductionOrderHeaders", key: ["dataAreaId": "usmf", "ProductionOrderNumber": moved], set: ["ProductionSiteId": "2"])
            let workers = harness.session.simulator.table("Workers")
            let worker = try #require(
                (0..<workers.count).first { workers.value(row: $0, "WorkerStatus") == .member(1) }.map { workers.string(row: $0, "PersonnelNumber") })
            try harness.session.simulator.update("Workers", key: ["PersonnelNumber": worker], set: ["WorkerStatus": "Terminated"])
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let workOrders = harness.session.simulator.receivedRecords("work-orders")
            #expect(workOrders["usmf/\(ended)"]?.timesReceived == 2)
            #expect(workOrders["usmf/\(ended)"]?.object["status"] as? String == "ended")
            #expect(workOrders["usmf/\(moved)"]?.timesReceived == 2)
            #expect(workOrders["usmf/\(moved)"]?.object["status"] as? String == "ended", "an order moved to another site is no longer offered")
            let person = harness.session.simulator.receivedRecords("persons")[worker]
            #expect(person?.timesReceived == 2)
            #expect(person?.object["status"] as? String == "terminated")
            #expect(
                harness.session.simulator.receivedRecords("operations").values.allSatisfy { $0.timesReceived == 1 },
                "a departed order's operations are not sent again")
        }
    }

    // 30: windows smaller than the server's pages of 40; 60: a window that D365 itself splits with a nextLink.
    @Test(arguments: ["30", "60"])
    func openOrdersAreReadInWindowsAndNoneIsMissed(_ window: String) async throws {
        try await withConnector(extra: ["D365MM_DEBUG_ORDER_WINDOW": window]) { (harness: ConnectorHarness) async throws in
            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 0, "\(result.standardError)")
            let expected = ExpectedFromERP(harness.session.simulator)
            #expect(expected.workOrders.count > Int(window)!, "the data set spans more than one window")
            for (collection, keys) in expected.byCollection {
                #expect(Set(harness.session.simulator.receivedRecords(collection).keys) == keys, "\(collection)")
            }
            let reads = harness.session.simulator.requestLog.entries
            let headerReads = reads.filter { $0.path.hasSuffix("/ProductionOrderHeaders") }
            #expect(headerReads.contains { $0.query.contains("$skip=\(window)") && $0.query.contains("$top=\(window)") })
            // With three windows or more, the route operations of the first are read before the last window is: the
            // pull does not wait for every window. (The next window is always asked for first, so two would not show it.)
            if expected.workOrders.count > 2 * Int(window)!, let lastWindow = reads.lastIndex(where: { $0.path.hasSuffix("/ProductionOrderHeaders") })
            {
                #expect(reads[..<lastWindow].contains { $0.path.hasSuffix("/ProductionOrderRouteOperations") })
            }
        }
    }

    @Test func aPullOnlyRunSendsNothingAndTheNextRunSendsWhatItPulled() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            let pulled = try await harness.run(["run", "from-erp", "--pull-only"])
            #expect(pulled.status == 0, "\(pulled.standardError)")
            #expect(harness.session.simulator.requestLog.count(service: .mm) == 0, "nothing reaches MachineMetrics")
            #expect(harness.files("inbox").filter { $0.contains("_from-erp_pages_") }.count == 1, "one item names every page pulled")
            #expect(harness.files("outbound").isEmpty)
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let expected = ExpectedFromERP(harness.session.simulator)
            for (collection, keys) in expected.byCollection {
                #expect(Set(harness.session.simulator.receivedRecords(collection).keys) == keys, "\(collection)")
            }
            #expect(received(harness).values.allSatisfy { $0.values.allSatisfy { $0.timesReceived == 1 } }, "what was pulled twice is sent once")
            #expect(harness.files("inbox").isEmpty)
            #expect(try await harness.run(["run", "from-erp", "--pull-only", "--full"]).status == 64)
        }
    }

    @Test func fullResendsEverything() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(try await harness.run(["run", "from-erp", "--full"]).status == 0)
            #expect(received(harness).values.allSatisfy { $0.values.allSatisfy { $0.timesReceived == 2 } })
        }
    }

    @Test func recordsMachineMetricsRejectsAreKeptAndSentAgainNextRun() async throws {
        try await withConnector { (harness: ConnectorHarness) async throws in
            let order = try #require(ExpectedFromERP(harness.session.simulator).workOrders.sorted().first)
            harness.session.simulator.rejectRecords([order: "part not known yet"])
            let first = try await harness.run(["run", "from-erp"])
            #expect(first.status == 2, "rejected records need an operator")
            #expect(first.standardError.contains(order) && first.standardError.contains("part not known yet"))
            #expect(harness.session.simulator.receivedRecords("work-orders")[order] == nil)
            let database = try StateDatabase(path: harness.spoolDirectory + "/state.sqlite")
            #expect(try database.rejections().map(\.key).contains(order))
            harness.session.simulator.rejectRecords([:])
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(harness.session.simulator.receivedRecords("work-orders")[order]?.timesReceived == 1)
            #expect(try database.rejections().isEmpty)
        }
    }
}
