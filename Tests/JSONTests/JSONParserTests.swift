import Foundation
import JSON
import Testing

struct JSONParserTests {
    @Test func numbersKeepTheirExactTextAndObjectsTheirOrder() throws {
        let value = try JSONParser.parse(#"{"z": 0.020000, "a": 120, "m": -1.5e3, "n": null, "t": true, "s": "x"}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "n", "t", "s"])
        #expect(value["z"] == .number("0.020000"))
        #expect(value["z"]?.decimalValue?.description == "0.02")
        #expect(value["a"]?.intValue == 120)
        #expect(JSONEncoding.string(value) == #"{"z":0.020000,"a":120,"m":-1.5e3,"n":null,"t":true,"s":"x"}"#)
    }

    @Test func escapesRoundTrip() throws {
        let text = #"{"q":"say \"hi\"\n\ttab \\ slash \/ \u00e9 \ud83d\ude00 \u0001"}"#
        let value = try JSONParser.parse(text)
        #expect(value["q"]?.stringValue == "say \"hi\"\n\ttab \\ slash / é 😀 \u{01}")
        #expect(try JSONParser.parse(JSONEncoding.bytes(value)) == value)
    }

    @Test func canonicalFormSortsMembersSoEqualMeaningHasEqualBytes() throws {
        let first = try JSONParser.parse(#"{"b": 1, "a": {"y": 2, "x": [3, {"d": 4, "c": 5}]}}"#)
        let second = try JSONParser.parse(#"{"a":{"x":[3,{"c":5,"d":4}],"y":2},"b":1}"#)
        #expect(JSONEncoding.bytes(first, style: .canonical) == JSONEncoding.bytes(second, style: .canonical))
        #expect(JSONEncoding.bytes(first) != JSONEncoding.bytes(second))
    }

    @Test func rowsOfOneShapeKeepTheirOwnNamesWhenANameDiffers() throws {
        let rows = try JSONParser.parse(#"[{"name":1,"other":2},{"name":3,"othe":4},{"name":5,"other\u0041":6},{"name":7,"other":8,"more":9},{}]"#)
        let keys = rows.arrayValue?.map { $0.objectValue?.keys ?? [] }
        #expect(keys == [["name", "other"], ["name", "othe"], ["name", "otherA"], ["name", "other", "more"], []])
        #expect(rows.arrayValue?[3]["other"] == .number("8"))
        // A raw control character is refused even where an escaped one, in the same place, was accepted.
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("[{\"a\\nb\":1},{\"a\nb\":2}]") }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("[{\"ab\":1},{\"a\u{1}\":2}]") }
    }

    @Test func canonicalOrderIsTheOrderOfTheNamesBytes() throws {
        // Names alike in their first eight bytes or more, a name that begins another, upper case, and non-ASCII.
        let names = ["scheduledStartAt", "scheduledEndAt", "scheduled", "ab", "a", "Zulu", "é", "e", "quantityRequired", "quantity", ""]
        let object = JSONValue.object(JSONObject(names.map { (key: $0, value: JSONValue.null) }))
        let expected = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let text = "{" + expected.map { "\"\($0)\":null" }.joined(separator: ",") + "}"
        #expect(JSONEncoding.string(object, style: .canonical) == text)
        #expect(expected.first == "" && expected.last == "é")
    }

    @Test(arguments: [
        "", "{", #"{"a":1,}"#, "[1,2", #"{"a" 1}"#, "01", "1.", "-", #""unterminated"#, "nul", #"{"a":1} x"#, "[1]]",
        "\u{7}", #""\q""#, #""\ud800""#, String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ])
    func whatIsNotJSONIsRefusedWithAPosition(_ text: String) {
        let error = #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
        #expect(error?.description.contains("at byte") == true)
    }

    @Test func prettyOutputIsValidJSONForPeople() throws {
        let value = try JSONParser.parse(#"{"a":[1,{"b":"c"}],"d":{}}"#)
        let pretty = JSONEncoding.string(value, style: .pretty)
        #expect(pretty.contains("\n  \"a\": [\n    1,"))
        #expect(try JSONParser.parse(pretty) == value)
    }

    @Test func decimalsAreWrittenInTheirShortestExactForm() {
        #expect(JSONNumberText.format(Decimal(string: "1.500000")!) == "1.5")
        #expect(JSONNumberText.format(Decimal(string: "120")!) == "120")
        #expect(JSONNumberText.format(Decimal(string: "-0.000001")!) == "-0.000001")
        #expect(JSONNumberText.format(Decimal(string: "0")!) == "0")
    }
}
