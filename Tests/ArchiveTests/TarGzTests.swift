import Archive
import Foundation
import TestSupport
import Testing

struct TarGzTests {
    @Test func writesATarGzThatReadsBackEntryByEntry() async throws {
        try await withTemporaryDirectory { directory in
            let source = directory + "/big.json"
            // Larger than one streaming chunk, so the file is copied in several pieces.
            let bigContents = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try bigContents.write(to: URL(fileURLWithPath: source))
            let archivePath = directory + "/run.tar.gz"
            let writer = try TarGzWriter(path: archivePath)
            try writer.add(name: "manifest.json", bytes: Array(#"{"run":"r1"}"#.utf8))
            try writer.addFile(name: "posted/big.json", from: source)
            try writer.finish()

            let head = try #require(FileHandle(forReadingAtPath: archivePath)?.readData(ofLength: 2))
            #expect(Array(head) == [0x1F, 0x8B], "a gzip stream starts with 1f 8b")

            let reader = try TarGzReader(path: archivePath)
            var entries: [String: [UInt8]] = [:]
            while let entry = try reader.nextEntry() {
                entries[entry.name] = try reader.readContents()
                #expect(Int64(entries[entry.name]!.count) == entry.size)
            }
            #expect(entries["manifest.json"] == Array(#"{"run":"r1"}"#.utf8))
            #expect(entries["posted/big.json"] == Array(bigContents))
        }
    }

    /// libarchive's pax writer crashed on such names in the C locale, which services and tests run in.
    @Test func namesBeyondASCIIAreWrittenAndReadBackAsTheyAre() async throws {
        try await withTemporaryDirectory { directory in
            let names = ["failed/café.json", "failed/日本語 の 名前.json", "hold/🚀 launch\nnext line.json", "hold/-leading dash"]
            let archivePath = directory + "/names.tar.gz"
            let writer = try TarGzWriter(path: archivePath)
            for name in names { try writer.add(name: name, bytes: Array(name.utf8)) }
            try writer.finish()
            let reader = try TarGzReader(path: archivePath)
            var read: [String] = []
            while let entry = try reader.nextEntry() {
                #expect(try reader.readContents() == Array(entry.name.utf8))
                read.append(entry.name)
            }
            #expect(read == names)
        }
    }

    @Test func theSystemTarReadsWhatWeWrite() async throws {
        try await withTemporaryDirectory { directory in
            let archivePath = directory + "/run.tar.gz"
            let writer = try TarGzWriter(path: archivePath)
            try writer.add(name: "a/one.json", bytes: Array("1".utf8))
            try writer.add(name: "b/two.json", bytes: Array("22".utf8))
            try writer.finish()
            let tar = Process()
            tar.executableURL = URL(fileURLWithPath: "/bin/tar")
            tar.arguments = ["-tzf", archivePath]
            let output = Pipe()
            tar.standardOutput = output
            try tar.run()
            let listing = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            tar.waitUntilExit()
            #expect(tar.terminationStatus == 0)
            #expect(listing.split(separator: "\n") == ["a/one.json", "b/two.json"])
        }
    }

    @Test func anArchiveThatWasNeverFinishedIsReportedBroken() async throws {
        try await withTemporaryDirectory { directory in
            let archivePath = directory + "/partial.tar.gz"
            do {
                let writer = try TarGzWriter(path: archivePath)
                try writer.add(name: "one.json", bytes: [UInt8](repeating: 65, count: 100_000))
                // Dropped without finish(), as a crash would leave it.
            }
            // Cut it short as well, as a full disk would.
            let data = try Data(contentsOf: URL(fileURLWithPath: archivePath))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: archivePath))
            #expect(throws: (any Error).self) {
                let reader = try TarGzReader(path: archivePath)
                while try reader.nextEntry() != nil { _ = try reader.readContents() }
            }
        }
    }

    @Test func openingAMissingArchiveNamesTheFile() {
        let error = #expect(throws: ArchiveError.self) { try TarGzReader(path: "/nonexistent/run.tar.gz") }
        #expect(error?.description.contains("/nonexistent/run.tar.gz") == true)
    }
}
