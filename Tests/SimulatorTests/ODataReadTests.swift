import Foundation
import HTTP
import Simulator
import TestSupport
import Testing

struct ODataReadTests {
    private static let released = "Microsoft.Dynamics.DataEntities.ProdStatus'Released'"
    private static let startedUp = "Microsoft.Dynamics.DataEntities.ProdStatus'StartedUp'"

    /// The order numbers (per company) a filter should select, worked out from the table directly.
    private func expectedOrders(_ session: SimulatorSession, where include: (Table, Int) -> Bool) -> Set<String> {
        let table = session.simulator.table("ProductionOrderHeaders")
        return Set(
            (0..<table.count).filter { include(table, $0) }.map {
                table.string(row: $0, "dataAreaId") + "/" + table.string(row: $0, "ProductionOrderNumber")
            })
    }

    private func orderKeys(_ rows: [[String: Any]]) -> Set<String> {
        Set(rows.map { "\($0["dataAreaId"] as! String)/\($0["ProductionOrderNumber"] as! String)" })
    }

    private func status(_ table: Table, _ row: Int) -> String {
        guard case .member(let position) = table.value(row: row, "ProductionOrderStatus") else { return "" }
        return EnumTypes.prodStatus.members[position].name
    }

    @Test func theConnectorsOrderFilterSelectsExactlyTheOrdersInScope() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let filter =
                "dataAreaId eq 'usmf' and ProductionSiteId eq '1' and (ProductionOrderStatus eq \(Self.released) or ProductionOrderStatus eq \(Self.startedUp))"
            let result = try await session.readAll("ProductionOrderHeaders", [("cross-company", "true"), ("$filter", filter)], token: token)
            let expected = expectedOrders(session) { table, row in
                table.string(row: row, "dataAreaId") == "usmf" && table.string(row: row, "ProductionSiteId") == "1"
                    && ["Released", "StartedUp"].contains(status(table, row))
            }
            #expect(!expected.isEmpty)
            #expect(orderKeys(result.rows) == expected)
            #expect(result.rows.count == expected.count, "no row twice")
            #expect(
                result.rows.allSatisfy {
                    $0["ProductionOrderStatus"] as? String == "Released" || $0["ProductionOrderStatus"] as? String == "StartedUp"
                })
        }
    }

    @Test(arguments: [
        "ScheduledQuantity gt 100",
        "ScheduledQuantity ge 120 and ScheduledQuantity le 500",
        "not (ProductionOrderPriority lt 2)",
        "ProductionOrderPriority ne 0 or ItemNumber eq 'D0003'",
        "ScheduledStartDate ge 2026-11-21T00:00:00Z",
    ])
    func comparisonsOnNumbersAndDatesMatchTheData(_ filter: String) async throws {
        try await withSimulator({ $0.dataSet.referenceDate = ISO8601DateFormatter().date(from: "2026-11-21T00:00:00Z")! }) { session in
            let token = try await session.d365Token()
            let result = try await session.readAll("ProductionOrderHeaders", [("cross-company", "true"), ("$filter", filter)], token: token)
            let expected = expectedOrders(session) { table, row in
                func decimal(_ name: String) -> Int64 { if case .decimal(let v) = table.value(row: row, name) { v } else { -1 } }
                func integer(_ name: String) -> Int64 { if case .integer(let v) = table.value(row: row, name) { v } else { -1 } }
                func date(_ name: String) -> Int64 { if case .dateTime(let v) = table.value(row: row, name) { v } else { -1 } }
                switch filter {
                case "ScheduledQuantity gt 100": return decimal("ScheduledQuantity") > 100_000_000
                case "ScheduledQuantity ge 120 and ScheduledQuantity le 500":
                    return decimal("ScheduledQuantity") >= 120_000_000 && decimal("ScheduledQuantity") <= 500_000_000
                case "not (ProductionOrderPriority lt 2)": return integer("ProductionOrderPriority") >= 2
                case "ProductionOrderPriority ne 0 or ItemNumber eq 'D0003'":
                    return integer("ProductionOrderPriority") != 0 || table.string(row: row, "ItemNumber") == "D0003"
                default: return date("ScheduledStartDate") >= 1_795_219_200
                }
            }
            #expect(!expected.isEmpty)
            #expect(orderKeys(result.rows) == expected)
        }
    }

    @Test func stringsCompareWithoutRegardToCaseAndStarIsAWildcard() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let upper = try await session.readAll(
                "ProductionOrderHeaders", [("cross-company", "true"), ("$filter", "dataAreaId eq 'USMF'")], token: token)
            #expect(orderKeys(upper.rows) == expectedOrders(session) { $0.string(row: $1, "dataAreaId") == "usmf" })
            let wildcard = try await session.readAll(
                "ReleasedProductsV2", [("cross-company", "true"), ("$filter", "ProductSearchName eq '*mm*'"), ("$select", "ProductSearchName")],
                token: token)
            let products = session.simulator.table("ReleasedProductsV2")
            let expected = (0..<products.count).filter { products.string(row: $0, "ProductSearchName").lowercased().contains("mm") }
            #expect(!expected.isEmpty)
            #expect(wildcard.rows.count == expected.count)
            #expect(wildcard.rows.allSatisfy { ($0["ProductSearchName"] as! String).lowercased().contains("mm") })
        }
    }

    /// Chunks of keys are answered from an index, as SQL Server answers F&O: the rows must be exactly those a scan
    /// finds, in table order, whatever the case of the keys, and follow edits of a key.
    @Test func chunksOfKeysFindWhatAScanFinds() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let operations = session.simulator.table("ProductionOrderRouteOperations")
            func scan(_ orders: Set<String>) -> [String] {
                (0..<operations.count).filter {
                    operations.string(row: $0, "dataAreaId") == "usmf"
                        && orders.contains(operations.string(row: $0, "ProductionOrderNumber").lowercased())
                }.map { row -> String in
                    guard case .integer(let number) = operations.value(row: row, "OperationNumber") else { return "?" }
                    return operations.string(row: row, "ProductionOrderNumber") + "/\(number)"
                }
            }
            func read(_ filter: String) async throws -> [String] {
                try await session.readAll("ProductionOrderRouteOperations", [("cross-company", "true"), ("$filter", filter)], token: token).rows.map {
                    "\($0["ProductionOrderNumber"] as! String)/\($0["OperationNumber"] as! Int)"
                }
            }
            let chunk =
                "dataAreaId eq 'usmf' and (ProductionOrderNumber eq 'P000009' or ProductionOrderNumber eq 'p000002' or ProductionOrderNumber eq 'P999999')"
            let expected = scan(["p000009", "p000002"])
            #expect(!expected.isEmpty)
            #expect(try await read(chunk) == expected)
            let wildcard = try await read("dataAreaId eq 'usmf' and ProductionOrderNumber eq 'P00000*'")
            #expect(Set(wildcard).isSuperset(of: expected), "a wildcard is not an index lookup and still matches")

            try session.simulator.update(
                "ProductionOrderHeaders", key: ["dataAreaId": "usmf", "ProductionOrderNumber": "P000002"], set: ["ProductionOrderNumber": "P777777"])
            let renamed = try await session.readAll(
                "ProductionOrderHeaders",
                [
                    ("cross-company", "true"),
                    ("$filter", "dataAreaId eq 'usmf' and (ProductionOrderNumber eq 'P000002' or ProductionOrderNumber eq 'P777777')"),
                ], token: token)
            #expect(renamed.rows.map { $0["ProductionOrderNumber"] as? String } == ["P777777"])
        }
    }

    @Test func aQuoteInsideAStringIsWrittenTwice() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            try session.simulator.update("Workers", key: ["PersonnelNumber": "000001"], set: ["Name": "Sean O'Brien"])
            let response = try await session.odata("Workers", [("$filter", "Name eq 'Sean O''Brien'")], token: token)
            let rows = try #require(response.jsonObject?["value"] as? [[String: Any]])
            #expect(rows.map { $0["PersonnelNumber"] as? String } == ["000001"])
        }
    }

    @Test(arguments: [
        ("dataAreaId in ('usmf','ussi')", "'in' operator is not supported"),
        ("ProductionOrderStatus has Microsoft.Dynamics.DataEntities.ProdStatus'Released'", "'has' operator is not supported"),
        ("NoSuchField eq 'x'", "Could not find a property named 'NoSuchField'"),
        ("ProductionOrderStatus eq 'Released'", "incompatible types"),
        ("ProductionOrderStatus eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", "incompatible types"),
        ("ProductionOrderStatus gt Microsoft.Dynamics.DataEntities.ProdStatus'Released'", "Only 'eq' and 'ne'"),
        ("contains(ItemNumber, 'D0')", "unknown function"),
        ("ScheduledQuantity eq 'ten'", "incompatible types"),
        ("dataAreaId eq 'usmf", "Unterminated string"),
    ])
    func queriesFAndORefusesGetItsErrorBody(_ filter: String, _ message: String) async throws {
        try await withSimulator { session in
            let response = try await session.odata(
                "ProductionOrderHeaders", [("cross-company", "true"), ("$filter", filter)], token: try await session.d365Token())
            #expect(response.status == 400)
            let error = try #require(response.jsonObject?["error"] as? [String: Any])
            #expect(error["code"] as? String == "")
            #expect((error["message"] as? String)?.contains(message) == true, "\(error)")
        }
    }

    @Test func withoutCrossCompanyOnlyTheServiceUsersDefaultCompanyIsVisible() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let silent = try await session.readAll("ProductionOrderHeaders", [("$filter", "dataAreaId eq 'usmf'")], token: token)
            #expect(silent.rows.isEmpty, "F&O returns nothing, without an error, for another company")
            let defaultCompany = try await session.readAll("ProductionOrderHeaders", [], token: token)
            #expect(!defaultCompany.rows.isEmpty)
            #expect(defaultCompany.rows.allSatisfy { $0["dataAreaId"] as? String == "dat" })
            let crossCompany = try await session.readAll(
                "ProductionOrderHeaders", [("cross-company", "true"), ("$filter", "dataAreaId eq 'usmf'")], token: token)
            #expect(orderKeys(crossCompany.rows) == expectedOrders(session) { $0.string(row: $1, "dataAreaId") == "usmf" })
            let byKey = try await session.odata("ProductionOrderHeaders(dataAreaId='usmf',ProductionOrderNumber='P000001')", token: token)
            #expect(byKey.status == 404)
            let byKeyCrossCompany = try await session.odata(
                "ProductionOrderHeaders(dataAreaId='usmf',ProductionOrderNumber='P000001')", [("cross-company", "true")], token: token)
            #expect(byKeyCrossCompany.status == 200)
            #expect(byKeyCrossCompany.jsonObject?["ProductionOrderNumber"] as? String == "P000001")
        }
    }

    @Test func pagingFollowsAbsoluteNextLinksToTheLastPage() async throws {
        try await withSimulator({ $0.pageSize = 7 }) { session in
            let token = try await session.d365Token()
            let query = [("cross-company", "true"), ("$filter", "dataAreaId eq 'usmf'"), ("$select", "dataAreaId,ProductionOrderNumber")]
            let first = try await session.odata("ProductionOrderHeaders", query, token: token)
            let nextLink = try #require(first.jsonObject?["@odata.nextLink"] as? String)
            #expect(nextLink.hasPrefix(session.setting("D365_ENVIRONMENT_HOST") + "/data/ProductionOrderHeaders?"))
            #expect(nextLink.contains("cross-company=true") && nextLink.contains("$filter=") && nextLink.contains("$skip=7"))
            let all = try await session.readAll("ProductionOrderHeaders", query, token: token)
            let expected = expectedOrders(session) { $0.string(row: $1, "dataAreaId") == "usmf" }
            #expect(all.rows.count == expected.count)
            #expect(orderKeys(all.rows) == expected)
            #expect(all.pages == (expected.count + 6) / 7)
        }
    }

    @Test func topSkipOrderbySelectAndCountWorkTogether() async throws {
        try await withSimulator({ $0.pageSize = 4 }) { session in
            let token = try await session.d365Token()
            let table = session.simulator.table("Workers")
            let all = (0..<table.count).map { table.string(row: $0, "PersonnelNumber") }.sorted(by: >)
            let result = try await session.readAll(
                "Workers", [("$orderby", "PersonnelNumber desc"), ("$skip", "3"), ("$top", "9"), ("$select", "PersonnelNumber,Name")], token: token)
            #expect(result.rows.map { $0["PersonnelNumber"] as! String } == Array(all[3..<12]))
            #expect(result.pages == 3)
            #expect(result.rows.allSatisfy { Set($0.keys) == ["@odata.etag", "PersonnelNumber", "Name"] })
            let counted = try await session.odata("Workers", [("$count", "true"), ("$top", "1")], token: token)
            #expect(counted.jsonObject?["@odata.count"] as? Int == table.count)
            let plainCount = try await session.odata("Workers/$count", token: token)
            #expect(plainCount.text == String(table.count))
        }
    }

    @Test func valuesHaveFAndOsShapes() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let response = try await session.odata("ProductionOrderHeaders", [("cross-company", "true"), ("$top", "50")], token: token)
            let rows = try #require(response.jsonObject?["value"] as? [[String: Any]])
            #expect(rows.contains { $0["EndedDate"] as? String == "1900-01-01T12:00:00Z" }, "empty dates")
            #expect(rows.allSatisfy { ($0["ScheduledStartDate"] as? String)?.hasSuffix("T12:00:00Z") == true }, "date-only fields at noon UTC")
            #expect(rows.allSatisfy { $0["ScheduledQuantity"] is NSNumber }, "decimals are JSON numbers")
            #expect(rows.allSatisfy { ($0["@odata.etag"] as? String)?.hasPrefix("W/\"") == true })
            let operations = try await session.odata(
                "ProductionOrderRouteOperations", [("cross-company", "true"), ("$filter", "OperationsTimeToHourConversionFactor lt 1")], token: token)
            let fractions = try #require(operations.jsonObject?["value"] as? [[String: Any]])
            #expect(!fractions.isEmpty)
            #expect(operations.text.contains("\"OperationsTimeToHourConversionFactor\":0.01"), "decimal text stays exact")
        }
    }

    /// F&O honours `$select` on a read by key too: code that reads a field it did not select fails there, so it fails here.
    @Test func aReadByKeyHonoursSelectAndAnswersAsODataFourWithMinimalMetadata() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let table = session.simulator.table("ProductionOrderHeaders")
            let key =
                "ProductionOrderHeaders(dataAreaId='\(table.string(row: 0, "dataAreaId"))',ProductionOrderNumber='\(table.string(row: 0, "ProductionOrderNumber"))')"
            let selected = try await session.odata(key, [("cross-company", "true"), ("$select", "ProductionOrderNumber,DeliveryDate")], token: token)
            let body = try #require(selected.jsonObject)
            #expect(Set(body.keys) == ["@odata.context", "@odata.etag", "ProductionOrderNumber", "DeliveryDate"])
            #expect((body["@odata.context"] as? String)?.hasSuffix("#ProductionOrderHeaders(ProductionOrderNumber,DeliveryDate)/$entity") == true)
            let whole = try await session.odata(key, [("cross-company", "true")], token: token)
            #expect((whole.jsonObject?.count ?? 0) > 20, "without $select, every field")
            for answer in [
                selected, whole, try await session.odata("Workers", [("$top", "1")], token: token),
                try await session.odata("NoSuchEntity", token: token),
            ] {
                #expect(answer.header("OData-Version") == "4.0")
                #expect(
                    answer.header("Content-Type")?.hasPrefix("application/json; odata.metadata=minimal") == true,
                    "\(answer.header("Content-Type") ?? "")")
            }
        }
    }

    @Test func aMissingPrivilegeForbidsOnlyItsEntity() async throws {
        try await withSimulator({ $0.missingPrivileges = ["ProdRouteOperationsEntityView"] }) { session in
            let token = try await session.d365Token()
            let forbidden = try await session.odata("ProductionOrderRouteOperations", [("cross-company", "true")], token: token)
            #expect(forbidden.status == 403)
            #expect((forbidden.jsonObject?["error"] as? [String: Any])?["message"].map { "\($0)" }?.contains("ProdRouteOperationsEntityView") == true)
            #expect(try await session.odata("ProductionOrderHeaders", [("cross-company", "true")], token: token).status == 200)
        }
    }

    @Test func metadataDescribesTheEntitiesEnumsAndThePostingAction() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            let metadata = try await session.odata("$metadata", token: token).text
            #expect(metadata.contains(#"<EntitySet Name="ProductionOrderRouteOperations""#))
            #expect(metadata.contains(#"<Property Name="JournalLineNumber" Type="Edm.Decimal""#))
            #expect(metadata.contains(#"<Member Name="Completed" Value="7" />"#))
            #expect(metadata.contains(#"<Action Name="PostJournal" IsBound="true">"#))
        }
        try await withSimulator({ $0.postingAction = nil }) { session in
            let metadata = try await session.odata("$metadata", token: try await session.d365Token()).text
            #expect(!metadata.contains("<Action "))
        }
    }

    @Test func anUnknownEntitySetIsNotFound() async throws {
        try await withSimulator { session in
            let response = try await session.odata("productionorderheaders", token: try await session.d365Token())
            #expect(response.status == 404, "entity set names are case-sensitive")
        }
    }
}
