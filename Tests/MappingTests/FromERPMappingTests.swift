import Foundation
import JSON
import Mapping
import Testing
import Vocabulary

struct FromERPMappingTests {
    let scope = FromERPMapping.Scope(dataAreaID: "USMF", siteID: "1")

    private func map(_ entity: String, _ json: String) throws -> MappedRecord {
        try FromERPMapping.record(entitySet: try #require(EntitySet.named(entity)), row: JSONParser.parse(json), scope: scope)
    }

    @Test func aWorkOrderCombinesDatesWithTimesAndEmptyDatesBecomeNull() throws {
        let mapped = try map(
            "ProductionOrderHeaders",
            """
            {"@odata.etag":"W/\\"x\\"","dataAreaId":"USMF","ProductionOrderNumber":"P000123","ProductionOrderName":"Bracket","ItemNumber":"D0001",
             "ProductionOrderStatus":"StartedUp","ScheduledQuantity":120.50,"ProductionSiteId":"1",
             "ScheduledStartDate":"2026-11-20T12:00:00Z","ScheduledStartTime":36000,"ScheduledEndDate":"2026-11-22T12:00:00Z","ScheduledEndTime":57600,
             "DeliveryDate":"1900-01-01T12:00:00Z","DeliveryTime":0}
            """)
        #expect(mapped.collection == .workOrders)
        #expect(mapped.key == "usmf/P000123")
        #expect(mapped.inScope)
        #expect(
            JSONEncoding.string(mapped.record)
                == #"{"key":"usmf/P000123","dataAreaId":"usmf","number":"P000123","name":"Bracket","siteId":"1","partKey":"usmf/D0001","quantityRequired":120.50,"status":"started","scheduledStartAt":"2026-11-20T10:00:00Z","scheduledEndAt":"2026-11-22T16:00:00Z","dueAt":null}"#
        )
    }

    @Test(arguments: [
        ("Created", "created"), ("CostEstimated", "created"), ("Scheduled", "scheduled"), ("Released", "released"),
        ("StartedUp", "started"), ("ReportedFinished", "reported-finished"), ("Completed", "ended"),
    ])
    func statusesMapAsTheContractSays(_ d365: String, _ machineMetrics: String) throws {
        let mapped = try map(
            "ProductionOrderHeaders", #"{"dataAreaId":"usmf","ProductionOrderNumber":"P1","ProductionOrderStatus":"\#(d365)","ProductionSiteId":"1"}"#
        )
        #expect(mapped.record["status"]?.stringValue == machineMetrics)
        #expect(mapped.inScope == ["Released", "StartedUp", "ReportedFinished"].contains(d365))
    }

    @Test func anOpenOrderOfAnotherSiteIsEnded() throws {
        let mapped = try map(
            "ProductionOrderHeaders", #"{"dataAreaId":"usmf","ProductionOrderNumber":"P1","ProductionOrderStatus":"Released","ProductionSiteId":"2"}"#
        )
        #expect(mapped.record["status"]?.stringValue == "ended")
        #expect(!mapped.inScope)
    }

    @Test func operationHoursAreComputedExactlyAndRoundedHalfToEven() throws {
        let mapped = try map(
            "ProductionOrderRouteOperations",
            """
            {"dataAreaId":"usmf","ProductionOrderNumber":"P000123","OperationNumber":10,"OperationPriority":"Primary","OperationId":"Milling",
             "RouteGroupId":"MILL","NextOperationNumber":0,"SetupTime":50,"ProcessTime":7,"ProcessQuantity":3,
             "OperationsTimeToHourConversionFactor":0.01,"EstimatedOperationQuantity":120,"CostingOperationResourceId":"","IsOperationCompleted":"Yes"}
            """)
        #expect(mapped.key == "usmf/P000123/10/Primary")
        #expect(mapped.record["setupHours"] == .number("0.5"))
        // 7 × 0.01 ÷ 3 = 0.02333…: six places.
        #expect(mapped.record["runHoursPerUnit"] == .number("0.023333"))
        #expect(mapped.record["nextSequence"] == .null)
        #expect(mapped.record["resourceKey"] == .null)
        #expect(mapped.record["completed"] == .bool(true))
        #expect(mapped.record["workOrderKey"]?.stringValue == "usmf/P000123")
    }

    @Test func aProcessQuantityOfZeroDividesByOne() throws {
        let mapped = try map(
            "ProductionOrderRouteOperations",
            """
            {"dataAreaId":"usmf","ProductionOrderNumber":"P1","OperationNumber":20,"OperationPriority":"Secondary1","SetupTime":0,"ProcessTime":1.25,
             "ProcessQuantity":0,"OperationsTimeToHourConversionFactor":1,"NextOperationNumber":30,"CostingOperationResourceId":"1201"}
            """)
        #expect(mapped.record["runHoursPerUnit"] == .number("1.25"))
        #expect(mapped.record["nextSequence"] == .number("30"))
        #expect(mapped.record["resourceKey"]?.stringValue == "usmf/1201")
    }

    @Test func operationHoursAgreeWithDecimalArithmeticForShortAndLongNumbers() throws {
        // Ties at the seventh place (…0000005, …0000025), negatives, a quantity of zero, and numbers too long for integers.
        let times = [
            "0", "1", "7", "7.00", "0.01", "2.5", "-1.25", "123.456789", "0.0000005", "1.0000015", "1.0000025", "-0.0000025",
            "99999.999999", "0.33", "300", "123456789012345678901234567890.5", "1e2",
        ]
        let factors = ["1", "0.01", "0.0166666667", "60", "-1", "0.0000001"]
        let quantities = ["0", "1", "3", "10", "7", "0.3", "1.5", "0.000007"]
        for time in times {
            for factor in factors {
                for quantity in quantities {
                    let mapped = try map(
                        "ProductionOrderRouteOperations",
                        """
                        {"dataAreaId":"usmf","ProductionOrderNumber":"P1","OperationNumber":10,"OperationPriority":"Primary","SetupTime":\(time),
                         "ProcessTime":\(time),"ProcessQuantity":\(quantity),"OperationsTimeToHourConversionFactor":\(factor)}
                        """)
                    let value = Decimal(string: time)!
                    let multiplier = Decimal(string: factor)!
                    let divisor = Decimal(string: quantity)!
                    #expect(mapped.record["setupHours"] == .number(Self.sixPlaces(value * multiplier)), "\(time) × \(factor)")
                    #expect(
                        mapped.record["runHoursPerUnit"] == .number(Self.sixPlaces(value * multiplier / (divisor == 0 ? 1 : divisor))),
                        "\(time) × \(factor) ÷ \(quantity)")
                }
            }
        }
    }

    private static func sixPlaces(_ value: Decimal) -> Decimal {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 6, .bankers)
        return rounded
    }

    @Test func resourcesPersonsAndPartsTakeTheContractsShapes() throws {
        let resource = try map(
            "OperationsResources",
            #"{"dataAreaId":"usmf","ResourceId":"1201","ResourceName":"CNC Mill 1","OperationsResourceType":"Machine","RouteGroupId":"MILL"}"#)
        #expect(
            JSONEncoding.string(resource.record)
                == #"{"key":"usmf/1201","dataAreaId":"usmf","resourceId":"1201","name":"CNC Mill 1","type":"machine","routeGroupId":"MILL"}"#)
        let person = try map("Workers", #"{"PersonnelNumber":"000123","Name":"Julia Funderburk","WorkerStatus":"Employed"}"#)
        #expect(JSONEncoding.string(person.record) == #"{"key":"000123","personnelNumber":"000123","name":"Julia Funderburk","status":"employed"}"#)
        #expect(person.inScope)
        let part = try map(
            "ReleasedProductsV2",
            #"{"dataAreaId":"usmf","ItemNumber":"D0001","ProductSearchName":"","SearchName":"BRACKET","InventoryUnitSymbol":"ea"}"#)
        #expect(JSONEncoding.string(part.record) == #"{"key":"usmf/D0001","dataAreaId":"usmf","itemNumber":"D0001","name":"BRACKET","unit":"ea"}"#)
    }

    @Test func theContentHashIgnoresMemberOrderButNotContent() throws {
        let first = try JSONParser.parse(#"{"key":"a","status":"released","quantity":1}"#)
        let reordered = try JSONParser.parse(#"{"quantity":1,"status":"released","key":"a"}"#)
        let changed = try JSONParser.parse(#"{"key":"a","status":"started","quantity":1}"#)
        #expect(MappedRecord.hash(of: first) == MappedRecord.hash(of: reordered))
        #expect(MappedRecord.hash(of: first) != MappedRecord.hash(of: changed))
        // SHA-256 of the canonical text {"key":"a","quantity":1,"status":"released"}, as sha256sum prints it: hashes
        // already in a state database stay valid.
        #expect(MappedRecord.hash(of: reordered) == "5c71beeb25a3a81e9853db900f47886df509027adf7ae1bb1e5815009f855bb6")
    }

    @Test func theRevisionNamesWhatTheMappingMakes() throws {
        // A row whose digest is remembered is not mapped again. When this fails after a change to the mapping, raise
        // FromERPMapping.revision, then write the new hashes here: without it, changed records would never be sent.
        let rows: [(String, String)] = [
            (
                "ProductionOrderHeaders",
                #"{"dataAreaId":"USMF","ProductionOrderNumber":"P1","ProductionOrderName":"Bracket","ItemNumber":"D1","ProductionOrderStatus":"Released","ScheduledQuantity":2,"ProductionSiteId":"1","ScheduledStartDate":"2026-11-20T12:00:00Z","ScheduledStartTime":3600,"ScheduledEndDate":"1900-01-01T12:00:00Z","ScheduledEndTime":0,"DeliveryDate":"2026-11-30T12:00:00Z","DeliveryTime":0}"#
            ),
            (
                "ProductionOrderRouteOperations",
                #"{"dataAreaId":"usmf","ProductionOrderNumber":"P1","OperationNumber":10,"OperationPriority":"Primary","OperationId":"Mill","RouteGroupId":"M","NextOperationNumber":20,"SetupTime":50,"ProcessTime":7,"ProcessQuantity":3,"OperationsTimeToHourConversionFactor":0.01,"EstimatedOperationQuantity":2,"CostingOperationResourceId":"R1","IsOperationCompleted":"No"}"#
            ),
            (
                "OperationsResources",
                #"{"dataAreaId":"usmf","ResourceId":"R1","ResourceName":"Mill 1","OperationsResourceType":"Machine","RouteGroupId":"M"}"#
            ),
            ("Workers", #"{"PersonnelNumber":"000123","Name":"Julia Funderburk","WorkerStatus":"Employed"}"#),
            (
                "ReleasedProductsV2",
                #"{"dataAreaId":"usmf","ItemNumber":"D1","ProductSearchName":"Bracket","SearchName":"BRACKET","InventoryUnitSymbol":"ea"}"#
            ),
        ]
        let hashes = try rows.map { try map($0.0, $0.1).hash.prefix(12) }
        for (entitySet, json) in rows {
            let mapped = try map(entitySet, json)
            let set = try #require(EntitySet.named(entitySet))
            let key = FromERPMapping.key(entitySet: set, row: try JSONParser.parse(json))
            #expect(set.pull?.collection == mapped.collection && key == mapped.key, "the key a row is looked up by is its record's")
        }
        #expect(FromERPMapping.key(entitySet: .workers, row: try JSONParser.parse(#"{"Name":"no number"}"#)) == nil)
        #expect(FromERPMapping.revision == 1)
        #expect(hashes == ["9030a18a306f", "16ead78dfbd0", "cc9b686d8d66", "a9784bfe7fbf", "425fe5289b75"])
    }

    @Test func whatARecordDependsOnBesidesItsRowNamesTheRevisionScopeAndEntitySet() {
        #expect(FromERPMapping.digestContext(entitySet: .workers, scope: scope) == "d365mm-row/1/usmf/1/Workers")
        #expect(FromERPMapping.digestContext(entitySet: .workers, scope: .init(dataAreaID: "usmf", siteID: "2")) == "d365mm-row/1/usmf/2/Workers")
        #expect(FromERPMapping.digestContext(entitySet: .resources, scope: scope) == "d365mm-row/1/usmf/1/OperationsResources")
    }

    @Test func aRowWithoutItsKeyIsRefusedByName() {
        let error = #expect(throws: MappingError.self) {
            try map("ProductionOrderHeaders", #"{"dataAreaId":"usmf","ProductionOrderStatus":"Released"}"#)
        }
        #expect(error?.description.contains("ProductionOrderNumber") == true)
    }
}
