import Archive
import Foundation
import JSON
import Simulator
import Spool
import TestSupport
import Testing

/// Archives of finished runs, read back against their manifest; support bundles searched for planted secrets.
struct ArchiveAndBundleTests {
    @Test func finishedFilesArePackedPerRunVerifiedAndOnlyThenRemoved() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let posted = harness.files("posted")
            let logs = harness.files("log")
            #expect(logs.count == 2, "each run kept its log: \(logs)")
            var originals: [String: [UInt8]] = [:]
            for name in posted {
                originals["posted/\(name)"] = Array(FileManager.default.contents(atPath: "\(harness.spoolDirectory)/posted/\(name)")!)
            }
            try harness.age("posted", by: 2 * 86_400)
            try harness.age("log", by: 2 * 86_400)
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let archives = harness.files("archive")
            #expect(archives.count == 2, "one archive per finished run: \(archives)")
            #expect(harness.files("posted").allSatisfy { !posted.contains($0) }, "the archived originals are gone")

            var archived: [String: String] = [:]
            for archive in archives {
                let mode = try FileManager.default.attributesOfItem(atPath: "\(harness.spoolDirectory)/archive/\(archive)")[.posixPermissions] as? Int
                #expect(mode == 0o600, "an archive holds payloads: owner only")
                let reader = try TarGzReader(path: "\(harness.spoolDirectory)/archive/\(archive)")
                var contents: [String: [UInt8]] = [:]
                while let entry = try reader.nextEntry() { contents[entry.name] = try reader.readContents() }
                let manifest = try JSONParser.parse(try #require(contents["manifest.json"]))
                #expect(manifest["schema"]?.stringValue == "d365mm.archive/1" && manifest["outcome"]?.stringValue != nil)
                #expect(archive.contains(manifest["runId"]?.stringValue ?? "?"))
                for file in manifest["files"]?.arrayValue ?? [] {
                    let name = try #require(file["name"]?.stringValue)
                    let bytes = try #require(contents[name], "\(name) is in the archive")
                    #expect(file["size"]?.intValue == bytes.count)
                    #expect(file["sha256"]?.stringValue == SHA256.hex(bytes))
                    archived[name] = archive
                }
                #expect(contents["summary.json"] != nil, "the run's summary")
            }
            #expect(Set(originals.keys).isSubset(of: archived.keys), "every posted file is in an archive")
            #expect(logs.allSatisfy { archived["log/\($0)"] != nil }, "with the runs' logs")

            // Retention: archives older than D365MM_ARCHIVE_KEEP go.
            try harness.age("archive", by: 400 * 86_400)
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(harness.files("archive").allSatisfy { !archives.contains($0) })
        }
    }

    @Test func spoolArchivePacksFinishedFilesNowAndSaysHowMuch() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let posted = harness.files("posted")
            #expect(!posted.isEmpty)
            let young = try await harness.run(["spool", "archive", "--older-than", "1d"])
            #expect(young.status == 0 && young.standardOutput.contains("No finished files older than 1d"), "\(young.standardOutput)")
            #expect(harness.files("posted") == posted, "nothing young enough was touched")
            let bad = try await harness.run(["spool", "archive", "--older-than", "soon"])
            #expect(bad.status == 64 && bad.standardError.contains("--older-than"))

            let archived = try await harness.run(["spool", "archive"])
            #expect(archived.status == 0, "\(archived.standardError)")
            #expect(
                archived.standardOutput.contains("of 2 run(s) into archive/") && archived.standardOutput.contains("MB/s"),
                "\(archived.standardOutput)")
            #expect(harness.files("posted").isEmpty && harness.files("log").isEmpty)
            #expect(harness.files("archive").count == 2)
            #expect(try await harness.run(["run", "from-erp"]).status == 0, "the next run works on as before")
        }
    }

    @Test func aBundleHoldsWhatSupportNeedsAndNoSecretPlantedAnywhere() async throws {
        try await withRanConnector { (harness: ConnectorHarness) async throws in
            let secrets = harness.secrets
            #expect(secrets.count >= 4, "the configured secrets and the tokens the runs were issued")
            // Plant every secret where a careless change could leak it: a log, a spool payload, a failed item, an archive.
            let planted = secrets.map { "secret=\($0) token \($0) {\"x\": \"\($0)\"}" }.joined(separator: "\n")
            try planted.write(toFile: "\(harness.spoolDirectory)/log/rplanted.log", atomically: true, encoding: .utf8)
            try planted.write(toFile: "\(harness.spoolDirectory)/failed/planted.json", atomically: true, encoding: .utf8)
            try planted.write(
                toFile: "\(harness.spoolDirectory)/posted/20261101T000000Z_rplant_from-erp_work-orders_0001.json", atomically: true, encoding: .utf8)
            try harness.age("posted", by: 2 * 86_400)
            #expect(try await harness.run(["run", "from-erp"]).status == 0, "the planted posted file is archived")
            #expect(!harness.files("archive").isEmpty)

            try await withTemporaryDirectory { output in
                let result = try await harness.run(["bundle", "--output", output], changing: ["D365MM_EXTRA_NOTE": secrets[0]])
                #expect(result.status == 0, "\(result.standardError)")
                let path = try #require(
                    result.standardOutput.split(separator: "\n").first { $0.hasPrefix("support bundle written: ") }?.dropFirst(24))
                #expect(result.standardOutput.contains("quote this id to support: "))
                #expect(try FileManager.default.attributesOfItem(atPath: String(path))[.posixPermissions] as? Int == 0o600)
                let reader = try TarGzReader(path: String(path))
                var entries: [String: String] = [:]
                while let entry = try reader.nextEntry() { entries[entry.name] = String(decoding: try reader.readContents(), as: UTF8.self) }
                let names = entries.keys.map { String($0.split(separator: "/", maxSplits: 1).last ?? "") }
                for expected in ["manifest.json", "status.json", "configuration.txt", "versions.txt", "state-summary.json", "spool-listing.txt"] {
                    #expect(names.contains(expected), "\(expected) is in the bundle")
                }
                #expect(
                    names.contains { $0.hasPrefix("logs/") } && names.contains { $0.hasPrefix("archives/") }
                        && names.contains { $0.hasPrefix("failed/") })
                let manifest = try JSONParser.parse(
                    Array(try #require(entries.first { $0.key.hasSuffix("/manifest.json") && $0.key.split(separator: "/").count == 2 }?.value.utf8)))
                #expect(manifest["collectors"]?.arrayValue?.allSatisfy { $0["status"]?.stringValue == "gathered" } == true, "\(manifest)")
                let summary = try JSONParser.parse(Array(try #require(entries.first { $0.key.hasSuffix("/state-summary.json") }?.value.utf8)))
                for table in ["runs", "record_hashes", "metric_totals", "source_digest_contexts", "ticket_writes", "watermarks"] {
                    #expect(summary["rows"]?[table]?.intValue != nil, "the state summary counts \(table)")
                }
                #expect((summary["recordsAccepted"]?["work-orders"]?["accepted"]?.intValue ?? 0) > 0)
                #expect(entries.values.contains { $0.contains("[REDACTED]") }, "the planted values were found and masked")
                let everything = entries.values.joined(separator: "\n") + result.standardOutput + result.standardError
                #expect(harness.leakedSecrets(in: [everything]).isEmpty, "no secret in the bundle")
            }
        }
    }
}

/// SHA-256 in hex, worked out here independently of the code under test.
enum SHA256 {
    static func hex(_ bytes: [UInt8]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}
