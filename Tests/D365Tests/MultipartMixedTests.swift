import Foundation
import Testing

@testable import D365

/// Reading `$batch` answers as D365 writes them (CR LF) and as lenient servers and proxies may pass them on (LF).
struct MultipartMixedTests {
    /// A `$batch` answer: a changeset that created two lines, then a refused one, as D365 shapes them.
    private func answer(lineEnd: String) -> [UInt8] {
        let text = """
            --batchresponse_1
            Content-Type: multipart/mixed; boundary=changesetresponse_a

            --changesetresponse_a
            Content-Type: application/http
            Content-Transfer-Encoding: binary
            Content-ID: 1

            HTTP/1.1 201 Created
            Content-Type: application/json; odata.metadata=minimal
            OData-Version: 4.0

            {"JournalNumber":"JN-000042","JournalLineNumber":1,"Note":"Überstunden — Schicht 2"}
            --changesetresponse_a
            Content-Type: application/http
            Content-ID: 2

            HTTP/1.1 201 Created
            content-type:application/json

            {"JournalNumber":"JN-000042","JournalLineNumber":2}
            --changesetresponse_a--
            --batchresponse_1
            Content-Type: application/http
            Content-Transfer-Encoding: binary

            HTTP/1.1 500 Internal Server Error
            Content-Type: application/json

            {"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'ProdJournalRoute'. Infolog: Error: Production order P999999 does not exist.","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException"}}}
            --batchresponse_1--

            """
        return Array(text.replacingOccurrences(of: "\n", with: lineEnd).utf8)
    }

    @Test(arguments: ["\r\n", "\n"])
    func everyPartAndInnerResponseIsReadWhateverTheLineEnds(lineEnd: String) throws {
        let parts = MultipartMixed.parts(of: answer(lineEnd: lineEnd), boundary: "batchresponse_1")
        #expect(parts.count == 2)
        let changeset = try #require(MultipartMixed.boundary(of: parts[0].header("content-type")))
        #expect(changeset == "changesetresponse_a")

        let lines = MultipartMixed.parts(of: parts[0].content, boundary: changeset)
        #expect(lines.count == 2)
        #expect(lines[0].header("CONTENT-ID") == "1" && lines[1].header("Content-ID") == "2")
        let created = try #require(MultipartMixed.response(in: lines[0].content))
        #expect(created.status == 201)
        #expect(created.headers.map(\.name) == ["Content-Type", "OData-Version"])
        #expect(created.headers.first?.value == "application/json; odata.metadata=minimal")
        #expect(
            String(decoding: created.body, as: UTF8.self) == #"{"JournalNumber":"JN-000042","JournalLineNumber":1,"Note":"Überstunden — Schicht 2"}"#)
        let second = try #require(MultipartMixed.response(in: lines[1].content))
        #expect(second.headers.count == 1 && second.headers[0] == ("content-type", "application/json"), "no space after the colon")
        #expect(second.body.last == UInt8(ascii: "}"), "the line end before the next delimiter is not part of the body")

        let refused = try #require(MultipartMixed.response(in: parts[1].content))
        #expect(refused.status == 500)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("AxODataWriteException"))
    }

    @Test func whatIsNotAnHTTPResponseIsNotReadAsOne() {
        #expect(MultipartMixed.response(in: Array("HTTP/1.1\r\n\r\n{}".utf8)) == nil, "no status")
        #expect(MultipartMixed.response(in: Array("HTTP/1.1 abc OK\r\n\r\n{}".utf8)) == nil, "a status that is not a number")
        #expect(MultipartMixed.response(in: Array("\r\nHTTP/1.1 200 OK\r\n\r\n{}".utf8)) == nil, "a head that does not start with the status line")
        #expect(MultipartMixed.response(in: Array("<html>busy</html>".utf8)) == nil)
        let headOnly = MultipartMixed.response(in: Array("HTTP/1.1 204 No Content\r\nOData-Version: 4.0".utf8))
        #expect(headOnly?.status == 204 && headOnly?.body == [] && headOnly?.headers.first?.value == "4.0")
    }

    @Test func aDelimiterCountsOnlyAtTheStartOfALine() {
        let body = Array("--b\r\nContent-Type: text/plain\r\n\r\nsays --b inside\r\n--b\r\nContent-ID: 2\r\n\r\nsecond\r\n--b--\r\n".utf8)
        let parts = MultipartMixed.parts(of: body, boundary: "b")
        #expect(parts.map { String(decoding: $0.content, as: UTF8.self) } == ["says --b inside", "second"])
        #expect(parts[0].header("content-type") == "text/plain" && parts[1].header("content-id") == "2")
    }
}
