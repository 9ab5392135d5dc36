import Foundation
import JSON
import Spool
import TestSupport
import Testing

struct SpoolTests {
    private func envelope(_ records: [JSONValue]) -> Envelope {
        Envelope(
            schema: Envelope.inboxSchema, runID: "r000001", direction: .fromERP, kind: "ProductionOrderHeaders",
            createdAt: Date(timeIntervalSince1970: 1_795_000_000), metadata: ["page": 1], records: records)
    }

    @Test func anEnvelopeRoundTripsAndIsReadableByPeople() throws {
        let original = envelope([try JSONParser.parse(#"{"b":1.50,"a":"x"}"#), try JSONParser.parse(#"{"b":2,"a":"y \"q\""}"#)])
        let bytes = original.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"schema\": \"d365mm.inbox/1\","))
        #expect(text.contains("\n    {\"b\":1.50,\"a\":\"x\"},\n"), "one record per line, as written")
        #expect(try Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema) == original)
    }

    @Test func theChecksumIsTheSHA256OfEachRecordsSHA256() throws {
        // As `{ printf '{"a":1}' | sha256sum | cut -c1-64 | xxd -r -p; printf '{"b":"x"}' | sha256sum | …; } | sha256sum`
        // prints it; the records' own digests come with the file.
        let records = [try JSONParser.parse(#"{"a":1}"#), try JSONParser.parse(#"{"b":"x"}"#)]
        let expected = "sha256-tree:c80bdb9139febb128b13fe2ce6363f4ca5116aa0a0ba5aa959ae695e5d17db28"
        #expect(Envelope.checksum(of: records) == expected)
        let (bytes, digests) = envelope(records).encodedWithRecordDigests()
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"checksum\": \"\(expected)\""))
        #expect(
            digests.map(\.hex) == [
                "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862",
                "b00eaa755722bc692ce5f689bf1803497c9fa37bc557ba17ef211e10d6b368d9",
            ])
        #expect(Envelope.recordDigests(of: records) == digests)
    }

    @Test func filesWrittenBeforeTheTreeChecksumStillValidate() throws {
        // The checksum of earlier versions: the SHA-256 of the records joined by newlines, as
        // `printf '{"a":1}\n{"b":"x"}' | sha256sum` prints it.
        let records = [try JSONParser.parse(#"{"a":1}"#), try JSONParser.parse(#"{"b":"x"}"#)]
        let text = String(decoding: envelope(records).encoded(), as: UTF8.self)
        let current = try #require(text.firstRange(of: #/sha256-tree:[0-9a-f]{64}/#))
        let earlier = text.replacingCharacters(in: current, with: "sha256:ac21b53471d334e014d483f1b47c430c8594c13e18afe6b81b3c635ba395fc2e")
        #expect(try Envelope.decode(Array(earlier.utf8), expectedSchema: Envelope.inboxSchema) == envelope(records))

        let damaged = earlier.replacingOccurrences(of: "sha256:ac21", with: "sha256:ac22")
        #expect(throws: EnvelopeError("the records do not match the envelope's checksum: the file was edited or damaged after it was written")) {
            try Envelope.decode(Array(damaged.utf8), expectedSchema: Envelope.inboxSchema)
        }
        let unknown = text.replacingCharacters(in: current, with: "blake3:0123")
        let refusal = #expect(throws: EnvelopeError.self) { try Envelope.decode(Array(unknown.utf8), expectedSchema: Envelope.inboxSchema) }
        #expect(refusal?.description.contains("\"blake3:0123\", not sha256-tree: or sha256:") == true)
        #expect(refusal?.description.contains("newer version of d365mm") == true)
    }

    @Test func editedTruncatedOrMisplacedFilesDoNotValidate() throws {
        let bytes = envelope([try JSONParser.parse(#"{"quantity":120}"#)]).encoded()
        let edited = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "120", with: "121").utf8)
        #expect(throws: EnvelopeError("the records do not match the envelope's checksum: the file was edited or damaged after it was written")) {
            try Envelope.decode(edited, expectedSchema: Envelope.inboxSchema)
        }
        let cut = Array(bytes.prefix(bytes.count - 10))
        let truncation = #expect(throws: EnvelopeError.self) { try Envelope.decode(cut, expectedSchema: Envelope.inboxSchema) }
        #expect(truncation?.description.contains("not complete JSON") == true)
        let misplaced = #expect(throws: EnvelopeError.self) { try Envelope.decode(bytes, expectedSchema: Envelope.outboundSchema) }
        #expect(misplaced?.description.contains("wrong folder") == true)
        #expect(throws: EnvelopeError.self) { try Envelope.decode([], expectedSchema: Envelope.inboxSchema) }
    }

    @Test func publishingIsAtomicAndMovesNeverOverwrite() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory + "/spool")
            try spool.create()
            let attributes = try FileManager.default.attributesOfItem(atPath: spool.path(.inbox))
            #expect((attributes[.posixPermissions] as? Int) == 0o700)
            try spool.publish(Array("one".utf8), as: "a.json", in: .inbox)
            try spool.publish(Array("two".utf8), as: "a.json", in: .posted)
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path(.tmp)).isEmpty, "nothing is left in tmp/")
            let fileAttributes = try FileManager.default.attributesOfItem(atPath: spool.path(.inbox, "a.json"))
            #expect((fileAttributes[.posixPermissions] as? Int) == 0o600)
            let moved = try spool.move("a.json", from: .inbox, to: .posted)
            #expect(moved == "a.2.json")
            #expect(try spool.read("a.json", in: .posted) == Array("two".utf8))
            #expect(try spool.read("a.2.json", in: .posted) == Array("one".utf8))
            let error = #expect(throws: SpoolError.self) { try spool.move("a.json", from: .inbox, to: .posted) }
            #expect(error?.code == .vanished)
        }
    }

    @Test func filesFlushedOffTheTaskPoolArriveWholeAndTheirFailuresAreTheSame() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory + "/spool")
            try spool.create()
            let names = (1...16).map { "page-\($0).json" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names { group.addTask { try await spool.publishOffTaskPool(Array(name.utf8), as: name, in: .inbox) } }
                try await group.waitForAll()
            }
            #expect(try spool.items(in: .inbox) == names.sorted())
            for name in names { #expect(try spool.read(name, in: .inbox) == Array(name.utf8)) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path(.tmp)).isEmpty, "nothing is left in tmp/")

            try FileManager.default.removeItem(atPath: spool.path(.outbound))
            let onTheTask = #expect(throws: SpoolError.self) { try spool.publish([0x7B, 0x7D], as: "batch.json", in: .outbound) }
            let offThePool = await #expect(throws: SpoolError.self) {
                try await spool.publishOffTaskPool([0x7B, 0x7D], as: "batch.json", in: .outbound)
            }
            #expect(offThePool?.code == onTheTask?.code && offThePool?.operation == onTheTask?.operation && offThePool?.errorNumber == ENOENT)
        }
    }

    @Test func movingManyAtOnceKeepsEveryFileAndNamesThoseAlreadyGone() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory + "/spool")
            try spool.create()
            for name in ["a.json", "b.json", "c.json"] { try spool.publish(Array(name.utf8), as: name, in: .inbox) }
            try spool.publish(Array("older".utf8), as: "b.json", in: .posted)
            let vanished = try spool.move(["a.json", "gone.json", "b.json", "c.json"], from: .inbox, to: .posted)
            #expect(vanished == ["gone.json"])
            #expect(try spool.items(in: .inbox).isEmpty)
            #expect(try spool.items(in: .posted) == ["a.json", "b.2.json", "b.json", "c.json"])
            #expect(try spool.read("b.json", in: .posted) == Array("older".utf8), "a move never overwrites")
            #expect(try spool.read("b.2.json", in: .posted) == Array("b.json".utf8))
        }
    }

    @Test func itemsAreSortedHiddenFilesAndSidecarsLeftOut() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            for name in ["b.json", "a.json", ".hidden", "a.error.json", "a.receipt.json", "notes.txt"] {
                try spool.publish([0x7B, 0x7D], as: name, in: .failed)
            }
            #expect(try spool.items(in: .failed) == ["a.json", "b.json", "notes.txt"])
        }
    }

    /// A link is never followed, whether it leads into the spool or out of it (`../../etc/hostname`).
    @Test func onlyFilesAreItemsAFolderOrALinkIsNot() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            try spool.publish([0x7B, 0x7D], as: "a.json", in: .hold)
            let folder = spool.path(.hold)
            try FileManager.default.createDirectory(atPath: folder + "/copied-folder.json", withIntermediateDirectories: false)
            try FileManager.default.createSymbolicLink(atPath: folder + "/linked.json", withDestinationPath: folder + "/a.json")
            try FileManager.default.createSymbolicLink(atPath: folder + "/broken.json", withDestinationPath: folder + "/gone.json")
            try FileManager.default.createSymbolicLink(atPath: folder + "/outside.json", withDestinationPath: "/etc/hostname")
            #expect(try spool.items(in: .hold) == ["a.json"])
            #expect(throws: SpoolError.self) { try spool.read("outside.json", in: .hold) }
            #expect(spool.entryKind(of: "outside.json", in: .hold) == .symbolicLink)
        }
    }

    @Test func failingAnItemWritesASidecarAndKeepsTheEarlierOne() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            try spool.publish([1, 2, 3], as: "x.json", in: .outbound)
            try spool.fail("x.json", in: .outbound, report: FailureReport(stage: "post", reason: "first", whatToDo: "fix it", runID: "r1"))
            try spool.move("x.json", from: .failed, to: .outbound)
            try spool.fail("x.json", in: .outbound, report: FailureReport(stage: "post", reason: "second", whatToDo: "fix it again", runID: "r2"))
            let sidecar = try JSONParser.parse(spool.read("x.error.json", in: .failed))
            #expect(sidecar["reason"]?.stringValue == "second")
            #expect(sidecar["previous"]?["reason"]?.stringValue == "first")
            #expect(try spool.items(in: .failed) == ["x.json"])
        }
    }

    @Test func theLockIsExclusiveAndNamesItsHolder() async throws {
        try await withTemporaryDirectory { directory in
            let spool = Spool(root: directory)
            try spool.create()
            var lock: SpoolLock? = try SpoolLock.acquire(spool)
            #expect(lock != nil)
            #expect(SpoolLock.holder(spool)?.hasPrefix("pid \(getpid()) since ") == true)
            // flock locks belong to the open file: a second open in the same process is refused too.
            let error = #expect(throws: SpoolError.self) { try SpoolLock.acquire(spool) }
            #expect(error?.code == .locked)
            lock = nil
            #expect(throws: Never.self) { _ = try SpoolLock.acquire(spool) }
        }
    }

    @Test func namesFollowTheContractAndSortByAge() {
        let name = ItemName(time: Date(timeIntervalSince1970: 1_795_283_112), runID: "r7f3a9c", direction: .fromERP, kind: "work-orders", sequence: 3)
        #expect(name.description == "20261121T174512Z_r7f3a9c_from-erp_work-orders_0003.json")
        #expect(ItemName(parsing: name.description) == name)
        #expect(ItemName(parsing: "garbage.json") == nil)
    }
}
