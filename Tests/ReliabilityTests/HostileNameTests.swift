import Archive
import Foundation
import Hashing
import PropertyBased
import Spool
import TestSupport
import Testing

/// Files under any name a Linux file system allows, holding anything, dropped into every spool folder while every
/// command runs against them: nothing crashes, nothing outside the spool is read or touched, every file ends somewhere
/// (failed items with their sidecar) and nothing is lost.
struct HostileNameTests {
    private static let droppedFolders = ["inbox", "outbound", "failed", "hold", "posted", "tmp"]

    /// What one dropped file holds: garbage, nothing, or a copy of a file a real run wrote.
    private static func contents(_ random: inout Xoshiro, copies: [[UInt8]], nonce: Int) -> [UInt8] {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return []
        case 1: return Array("not a spool file \(nonce) \(UInt64.random(in: 0...UInt64.max, using: &random))".utf8)
        default: return copies.randomElement(using: &random) ?? []
        }
    }

    @Test func anyNameAndAnyBytesInAnyFolderNeverStopACommandOrLoseAFile() async throws {
        try await withConnector(orders: 30, laborTickets: 10, extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
            try await Invariants.settle(harness, rounds: 1)
            let spool = harness.spoolDirectory
            let copies = harness.files("posted").filter { !Sidecar.isSidecar($0) }.compactMap {
                FileManager.default.contents(atPath: "\(spool)/posted/\($0)").map(Array.init)
            }
            #expect(copies.count >= 4)
            // Outside the spool: a file worth stealing, and links to it from inside.
            let outside = spool + "/../outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            let sentinel = outside + "/sentinel.json"
            try Data(copies[0]).write(to: URL(fileURLWithPath: sentinel))
            for folder in Self.droppedFolders where folder != "tmp" {
                try FileManager.default.createSymbolicLink(atPath: "\(spool)/\(folder)/link-out.json", withDestinationPath: sentinel)
            }
            let outsideBefore = FileNames.list(outside)

            var dropped: Set<String> = []
            // A file put straight into failed/ by hand has no sidecar until something fails it: no run did.
            var droppedIntoFailed: Set<String> = []
            var outputs: [String] = []
            try await SeededCases.forEach(count: SeededCases.count(quick: 4, full: 40)) { label, random in
                for index in 0..<6 {
                    let name = FileNames.name.run(using: &random)
                    guard name.first != UInt8(ascii: ".") else { continue }  // hidden files are the spool's own
                    let folder = Self.droppedFolders.randomElement(using: &random)!
                    let bytes =
                        folder == "failed"
                        ? Array("dropped into failed/ \(label) \(index)".utf8) : Self.contents(&random, copies: copies, nonce: index)
                    guard (try? FileNames.write(bytes, as: name, in: "\(spool)/\(folder)")) != nil else { continue }
                    guard folder != "tmp" else { continue }  // tmp/ is never work: runs remove what they find there
                    dropped.insert(SHA256Hex.digest(bytes))
                    if folder == "failed" { droppedIntoFailed.insert(SHA256Hex.digest(bytes)) }
                }
                for arguments in Self.commands(&random, spool: spool) {
                    let result = try await harness.run(arguments)
                    outputs += [result.standardOutput, result.standardError]
                    let allowed: Set<Int32> = arguments[0] == "run" ? [0, 2] : arguments[0] == "spool" ? [0, 2, 64] : [0]
                    #expect(
                        !result.killedBySignal && allowed.contains(result.status),
                        "\(label): d365mm \(arguments.joined(separator: " ")) exited \(result.status)\(result.killedBySignal ? " (signal)" : ""): \(result.standardError.suffix(800))"
                    )
                }
            }

            try await Invariants.settle(harness)
            for folder in ["tmp", "inbox", "outbound"] {
                let left = FileNames.list("\(spool)/\(folder)").filter { $0 != Array("link-out.json".utf8) && $0.first != UInt8(ascii: ".") }
                #expect(left.isEmpty, "\(folder)/ still holds \(left.map(SpoolName.shown))")
            }
            let failed = Set(harness.files("failed"))
            for item in failed where !Sidecar.isSidecar(item) && item != "link-out.json" && !failed.contains(Sidecar.errorName(for: item)) {
                let contents = FileManager.default.contents(atPath: "\(spool)/failed/\(item)").map { SHA256Hex.digest(Array($0)) } ?? ""
                #expect(droppedIntoFailed.contains(contents), "failed/\(SpoolName.shown(item)) was failed by a run, so it has its sidecar")
            }
            let kept = try Self.contentDigests(spool: spool)
            #expect(dropped.subtracting(kept).isEmpty, "\(dropped.subtracting(kept).count) dropped file(s) are nowhere in the spool or its archives")
            #expect(FileManager.default.contents(atPath: sentinel).map(Array.init) == copies[0], "the file outside the spool is untouched")
            #expect(FileNames.list(outside) == outsideBefore, "nothing was written outside the spool")
            #expect(harness.leakedSecrets(in: outputs).isEmpty)
        }
    }

    /// The batch id is the file's name stem and a digest; a stem no HTTP header can carry once stopped every run with 75.
    @Test func aBatchDroppedInUnderAnOddNameIsSentWithAHeaderSafeBatchID() async throws {
        try await withConnector(orders: 20, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            try await Invariants.settle(harness, rounds: 1)
            let spool = harness.spoolDirectory
            let batch = try #require(harness.files("posted").first { $0.contains("_persons_") && !Sidecar.isSidecar($0) })
            let name = "re-sent\nby hand: Müller 100%.json"
            try FileManager.default.copyItem(atPath: "\(spool)/posted/\(batch)", toPath: "\(spool)/outbound/\(name)")
            let run = try await harness.run(["run", "from-erp"])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(harness.files("outbound").isEmpty && harness.files("posted").contains(name))
            let receipt = try String(contentsOfFile: "\(spool)/posted/\(Sidecar.receiptName(for: name))", encoding: .utf8)
            #expect(receipt.contains("\"batchId\": \"re-sent%0Aby%20hand:%20M%C3%BCller%20100%25-"), "\(receipt)")
        }
    }

    /// Every command an operator or a timer runs, in a random order, with names taken from the spool as it is, and
    /// names that try to leave it.
    private static func commands(_ random: inout Xoshiro, spool: String) -> [[String]] {
        let names = droppedFolders.flatMap { folder in FileNames.list("\(spool)/\(folder)").compactMap { String(validating: $0, as: UTF8.self) } }
        func someName() -> String {
            Int.random(in: 0..<5, using: &random) == 0
                ? ["../outside/sentinel.json", "/etc/hostname", "link-out.json", ".."].randomElement(using: &random)!
                : names.randomElement(using: &random) ?? "missing.json"
        }
        var commands: [[String]] = [
            ["run", "from-erp"], ["run", "to-erp"], ["status"], ["status", "--json"],
            ["spool", "ls", "inbox", "outbound", "failed", "hold", "posted"],
            ["spool", "show", "--", someName()], ["spool", "hold", "--wait", "5", "--", someName()],
            ["spool", "release", "--wait", "5", "--", someName()],
            ["spool", "requeue", "--wait", "5", "--", someName()], ["spool", "delete", "--wait", "5", "--", someName()], ["spool", "archive"],
            ["bundle", "--output", spool + "/.."],
        ]
        commands.shuffle(using: &random)
        return commands
    }

    /// The SHA-256 of every file's contents in the spool's folders and inside its archives.
    private static func contentDigests(spool: String) throws -> Set<String> {
        var digests = Set<String>()
        for folder in SpoolFolder.allCases where folder != .archive {
            for name in FileNames.list("\(spool)/\(folder.rawValue)") {
                let path = String(
                    decoding: FileNames.path(name, in: "\(spool)/\(folder.rawValue)").dropLast().map(UInt8.init(bitPattern:)), as: UTF8.self)
                if let data = FileManager.default.contents(atPath: path) { digests.insert(SHA256Hex.digest(Array(data))) }
            }
        }
        for name in FileNames.list("\(spool)/archive") {
            let reader = try TarGzReader(path: "\(spool)/archive/\(String(decoding: name, as: UTF8.self))")
            while try reader.nextEntry() != nil { digests.insert(SHA256Hex.digest(try reader.readContents())) }
        }
        return digests
    }
}
