import Archive
import Foundation
import TestSupport
import Testing

struct GzipTests {
    @Test func compressedBytesComeBackAsTheyWereAndZcatReadsThem() async throws {
        try await withTemporaryDirectory { directory in
            // Repetitive like a page of rows, and larger than one read chunk.
            let text = Array((0..<20_000).map { #"{"ProductionOrderNumber":"P-\#($0)","Quantity":\#($0 % 97)}"# }.joined(separator: ",\n").utf8)
            let compressed = try Gzip.compress(text, name: "page")
            #expect(compressed.count < text.count / 5, "JSON rows compress at least fivefold")
            #expect(try Gzip.decompress(compressed, name: "page") == text)

            let path = directory + "/page.json.gz"
            try Data(compressed).write(to: URL(fileURLWithPath: path))
            let zcat = Process()
            zcat.executableURL = URL(fileURLWithPath: "/bin/sh")
            zcat.arguments = ["-c", "gzip -dc < '\(path)'"]
            let output = Pipe()
            zcat.standardOutput = output
            try zcat.run()
            let read = output.fileHandleForReading.readDataToEndOfFile()
            zcat.waitUntilExit()
            #expect(zcat.terminationStatus == 0 && Array(read) == text)
        }
    }

    @Test func incompressibleAndEmptyDataRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(try Gzip.decompress(Gzip.compress(noise, name: "noise"), name: "noise") == noise)
        #expect(try Gzip.decompress(Gzip.compress([], name: "empty"), name: "empty") == [])
    }

    @Test func aStreamCutShortOrNotGzipIsRefused() throws {
        let compressed = try Gzip.compress(Array(String(repeating: "route operation ", count: 5_000).utf8), name: "page")
        #expect(throws: ArchiveError.self) { try Gzip.decompress(Array(compressed.prefix(compressed.count / 2)), name: "page") }
        #expect(throws: ArchiveError.self) { try Gzip.decompress(Array("{\"records\": []}".utf8), name: "page") }
    }
}
