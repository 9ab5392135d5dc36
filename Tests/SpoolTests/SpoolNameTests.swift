import Foundation
import JSON
import PropertyBased
import Spool
import TestSupport
import Testing

/// Names in the spool (`contracts/cli-and-config.md` § Names in the spool), on the spool itself.
struct SpoolNameTests {
    private func report(_ reason: String) -> FailureReport {
        FailureReport(stage: "validate", reason: reason, whatToDo: "look", runID: "rtest01")
    }

    @Test func anyNameIsGivenAUTF8NameThatFitsAndReadsBackToTheBytesItHad() async {
        await SeededCases.forEach(count: SeededCases.count(quick: 400, full: 20_000)) { label, random in
            let bytes = FileNames.name.run(using: &random)
            let adopted = SpoolName.adopted(bytes)
            #expect(adopted.utf8.count <= SpoolName.itemLimit, "\(label)")
            #expect(SpoolName.isPlain(adopted), "\(label): \(adopted)")
            #expect(adopted.hasPrefix(".") == (bytes.first == UInt8(ascii: ".")), "\(label): a hidden name stays hidden, no other becomes so")
            if bytes.count <= SpoolName.itemLimit - 2 * bytes.filter({ $0 >= 0x80 || $0 == 0x25 }).count {
                #expect(Self.percentDecoded(adopted) == bytes, "\(label): \(adopted) reads back to the name it had")
            }
            let shown = SpoolName.shown(bytes)
            #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(label): \(shown) is on one line")
        }
    }

    @Test func longNamesAreShortenedDistinctlyKeepingTheirEnding() {
        let first = String(repeating: "a", count: 250) + ".json"
        let second = String(repeating: "a", count: 249) + "b.json"
        let fitted = [first, second].map(SpoolName.fitted)
        #expect(fitted.allSatisfy { $0.utf8.count <= SpoolName.itemLimit && $0.hasSuffix(".json") })
        #expect(fitted[0] != fitted[1])
        #expect(SpoolName.fitted("short.json") == "short.json")
    }

    @Test func aFileNamedAtTheFileSystemsLimitFailsWithItsSidecarUnderAShorterName() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            let name = String(repeating: "n", count: 250) + ".json"
            try spool.publish(Array("garbage".utf8), as: name, in: .inbox)
            let moved = try spool.fail(name, in: .inbox, report: report("not JSON"))
            #expect(moved.utf8.count <= SpoolName.itemLimit && moved != name)
            let sidecar = try JSONParser.parse(spool.read(Sidecar.errorName(for: moved), in: .failed))
            #expect(sidecar["renamedFrom"]?.stringValue == name && sidecar["item"]?.stringValue == moved)
            #expect(try spool.read(moved, in: .failed) == Array("garbage".utf8))
        }
    }

    @Test func twoFailedItemsOfOneNameKeepTheirOwnSidecars() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            try spool.publish(Array("first".utf8), as: "x.json", in: .inbox)
            try spool.fail("x.json", in: .inbox, report: report("first reason"))
            try spool.publish(Array("second".utf8), as: "x.json", in: .outbound)
            let second = try spool.fail("x.json", in: .outbound, report: report("second reason"))
            #expect(second == "x.2.json")
            #expect(try spool.items(in: .failed) == ["x.2.json", "x.json"])
            let sidecars = try ["x.json", "x.2.json"].map { try JSONParser.parse(spool.read(Sidecar.errorName(for: $0), in: .failed)) }
            #expect(sidecars[0]["reason"]?.stringValue == "first reason" && sidecars[0]["previous"] == nil)
            #expect(sidecars[1]["reason"]?.stringValue == "second reason" && sidecars[1]["renamedFrom"]?.stringValue == "x.json")
            #expect(try spool.read("x.2.json", in: .failed) == Array("second".utf8))
        }
    }

    @Test func sidecarsTravelWithTheirItemAndNeverLandOnAnothers() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            try spool.publish(Array("a".utf8), as: "a.json", in: .outbound)
            try spool.fail("a.json", in: .outbound, report: report("refused"))
            // Another a.json already parked: the failed one takes the next name, with its sidecar.
            try spool.publish(Array("parked".utf8), as: "a.json", in: .hold)
            let held = try spool.move("a.json", from: .failed, to: .hold)
            #expect(held == "a.2.json")
            #expect(try spool.entries(in: .failed).isEmpty, "nothing is left behind")
            #expect(try spool.entries(in: .hold) == ["a.2.error.json", "a.2.json", "a.json"])
            #expect(try spool.read("a.json", in: .hold) == Array("parked".utf8))
            let released = try spool.move("a.2.json", from: .hold, to: .outbound)
            #expect(try spool.entries(in: .outbound) == [Sidecar.errorName(for: released), released])
        }
    }

    @Test func aReceiptNeverReplacesAnotherItemsReceipt() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            for answer in ["first", "second"] {
                try spool.publish(Array(answer.utf8), as: "b.json", in: .outbound)
                try spool.move("b.json", from: .outbound, to: .posted, adding: .init(.receipt, JSONObject([("answer", .string(answer))])))
            }
            #expect(try spool.entries(in: .posted) == ["b.2.json", "b.2.receipt.json", "b.json", "b.receipt.json"])
            #expect(try JSONParser.parse(spool.read("b.receipt.json", in: .posted))["answer"]?.stringValue == "first")
            #expect(try JSONParser.parse(spool.read("b.2.receipt.json", in: .posted))["answer"]?.stringValue == "second")
        }
    }

    @Test func namesThatAreNotUTF8AreRenamedOnceAndTheRestOfTheSpoolWorks() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            let latin1: [UInt8] = Array("caf".utf8) + [0xE9] + Array(" 100%.json".utf8)
            try FileNames.write(Array("x".utf8), as: latin1, in: spool.path(.inbox))
            try FileNames.write(Array("y".utf8), as: [0xFF, 0xFE], in: spool.path(.tmp))
            #expect(try spool.entries(in: .inbox).isEmpty && spool.strayNames(in: .inbox) == ["caf\\xE9 100%.json"])
            let adoptions = try spool.adoptStrayNames()
            #expect(adoptions.map { [$0.folder.rawValue, $0.shownName, $0.name] } == [["inbox", "caf\\xE9 100%.json", "caf%E9 100%25.json"]])
            #expect(try spool.items(in: .inbox) == ["caf%E9 100%25.json"] && spool.strayNames(in: .inbox).isEmpty)
            #expect(try spool.adoptStrayNames().isEmpty)
            #expect(try spool.purgeTemporaryFiles() == ["\\xFF\\xFE"])
            #expect(FileNames.list(spool.path(.tmp)).isEmpty)
        }
    }

    @Test func aNameAtTheFileSystemsLimitIsPublishedThroughTmp() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            let name = String(repeating: "é", count: 125) + "xxxxx"
            #expect(name.utf8.count == 255)
            try spool.publish([1], as: name, in: .failed)
            #expect(try spool.read(name, in: .failed) == [1])
        }
    }

    /// `%XX` back to the byte it stands for.
    private static func percentDecoded(_ name: String) -> [UInt8] {
        let bytes = Array(name.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count,
                let byte = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                result.append(byte)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
