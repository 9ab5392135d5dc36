import D365
import Foundation
import Testing
import Vocabulary

/// The query string D365 receives: every character a value may hold arrives as it was meant.
struct ODataQueryTests {
    @Test func valuesArePercentEncodedByteByByte() {
        let query = ODataQuery(
            entitySet: .productionOrders,
            filter: ODataFilter.allOf([ODataFilter.equals("ProductionOrderNumber", "Ö-1 & 2+3#4/5?6=7%8'9"), "dataAreaId eq 'usmf'"]),
            select: ["ProductionOrderNumber", "dataAreaId"], orderBy: "ProductionOrderNumber", top: 2000, skip: 4000)
        #expect(
            query.relativeURL == "ProductionOrderHeaders?cross-company=true"
                + "&$filter=ProductionOrderNumber%20eq%20'%C3%96-1%20%26%202%2B3%234%2F5%3F6%3D7%258''9'%20and%20dataAreaId%20eq%20'usmf'"
                + "&$select=ProductionOrderNumber,dataAreaId&$orderby=ProductionOrderNumber&$top=2000&$skip=4000")
        #expect(
            query.url(environmentURL: "https://contoso.operations.dynamics.com") == "https://contoso.operations.dynamics.com/data/"
                + query.relativeURL)
    }

    @Test func theEncodingIsWhatFoundationWouldWriteForTheSameAllowedCharacters() {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$',()*:")
        let samples =
            ["", "plain", "a b", "ÄÖÜ ß €", "日本語", "e\u{301}", "😀 x", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"]
            + (0..<200).map { _ in String((0..<12).map { _ in Character(UnicodeScalar(UInt8.random(in: 0x20...0x7E))) }) }
        for sample in samples {
            let query = ODataQuery(entitySet: .workers, filter: sample)
            #expect(
                query.relativeURL == "Workers?cross-company=true&$filter=" + sample.addingPercentEncoding(withAllowedCharacters: allowed)!,
                "\(sample)")
        }
    }
}
