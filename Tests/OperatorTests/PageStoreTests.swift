import Archive
import Foundation
import JSON
import Simulator
import Spool
import TestSupport
import Testing

/// Pages kept once in `pages/` and named by `pages` items: what a run where nothing changed writes, and that what every
/// run pulled can still be shown, archived, bundled, checked and, when nothing names it, removed.
struct PageStoreTests {
    @Test func aRunWhereNothingChangedWritesNoPageAgainAndWhatItPulledCanStillBeShownArchivedAndBundled() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let kept = try harness.pageFiles()
            #expect(!kept.isEmpty)
            let again = try await harness.run(["run", "from-erp"])
            #expect(again.status == 0, "\(again.standardError)")
            #expect(try harness.pageFiles() == kept, "no page was written again, nor replaced")
            let items = harness.files("posted").filter { $0.contains("_from-erp_pages_") }
            #expect(items.count == 2)
            let lists = try items.map { try harness.pageList(namedBy: "posted/\($0)") }
            #expect(lists[0] == lists[1], "both runs name the same page list")
            let pages = try harness.pagesNamed(byList: lists[1])
            #expect(Set(pages + [lists[1]]) == Set(kept.keys), "pages/ holds what the list names, and the list")

            let shown = try await harness.run(["spool", "show", items[1]])
            #expect(shown.status == 0, "\(shown.standardError)")
            #expect(shown.standardOutput.contains("Names \(pages.count) page(s)") && shown.standardOutput.contains("ProductionOrderHeaders: "))
            #expect(shown.standardOutput.contains("Every page it names is in pages/ with a good checksum"))

            #expect(try await harness.run(["spool", "archive"]).status == 0)
            #expect(!harness.files("posted").contains(items[1]))
            let archived = try await harness.run(["spool", "show", items[1]])
            #expect(archived.status == 0, "\(archived.standardError)")
            #expect(archived.standardOutput.hasPrefix("archive/") && archived.standardOutput.contains("posted/\(items[1])"))
            #expect(archived.standardOutput.contains("Every page it names is in pages/ with a good checksum"), "\(archived.standardOutput)")
            let manifests = try harness.archiveManifests()
            let named = manifests.flatMap { $0["pageLists"]?.arrayValue ?? [] }
            #expect(Set(named.compactMap { $0["item"]?.stringValue }) == Set(items.map { "posted/\($0)" }))
            #expect(named.allSatisfy { $0["pageList"]?.stringValue == "sha256-tree:\(lists[1])" && $0["problem"] == nil })

            let bundle = try await harness.bundleEntries()
            for address in pages + [lists[1]] {
                let document = try #require(bundle["pages/\(address).json"], "the bundle holds page \(address)")
                #expect(document.contains("\"checksum\": \"sha256-tree:\(address)\""))
            }
            #expect(bundle.keys.filter { $0.hasPrefix("pages/") }.count == pages.count + 1, "each page once")
        }
    }

    @Test func aDamagedSharedPageIsReportedNotShownAndTheNextPullRepairsIt() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let item = try #require(harness.files("posted").first { $0.contains("_from-erp_pages_") })
            let damaged = try #require(try harness.pagesNamed(byList: harness.pageList(namedBy: "posted/\(item)")).first)
            try harness.damagePage(damaged)
            #expect(try await harness.run(["spool", "archive"]).status == 0, "a bundle holds the pages its archives name")

            let shown = try await harness.run(["spool", "show", item])
            #expect(shown.status == 2, "a page that cannot be shown as kept makes show exit 2")
            #expect(shown.standardOutput.contains("pages/\(damaged).json.gz: it is damaged"), "\(shown.standardOutput)")
            let bundle = try await harness.bundleEntries()
            #expect(bundle["pages/\(damaged).json"] == nil, "a damaged page is not bundled as if it were D365's")
            #expect(bundle.contains { $0.key.hasSuffix("manifest.json") && $0.value.contains("pages/\(damaged).json.gz left out: it is damaged") })

            let next = try await harness.run(["run", "from-erp"])
            #expect(next.status == 0, "\(next.standardError)")
            #expect(next.standardError.contains("\(damaged).json.gz was damaged"), "\(next.standardError)")
            #expect(try await harness.run(["spool", "show", item]).status == 0, "the pull kept the page again")
        }
    }

    @Test func aPulledPageDamagedBeforeItsTransformFailsItsItemAndTheNextPullSendsEverything() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp", "--pull-only"]).status == 0)
            let item = try #require(harness.files("inbox").first { $0.contains("_from-erp_pages_") })
            let pages = try harness.pagesNamed(byList: harness.pageList(namedBy: "inbox/\(item)"))
            try harness.damagePage(pages[pages.count / 2])

            let result = try await harness.run(["run", "from-erp"])
            #expect(result.status == 2, "\(result.standardError)")
            #expect(harness.files("failed").contains(item))
            let sidecar = try String(contentsOfFile: "\(harness.spoolDirectory)/failed/\(item.dropLast(5)).error.json", encoding: .utf8)
            #expect(sidecar.contains("\(pages[pages.count / 2]).json.gz") && sidecar.contains("damaged"), "\(sidecar)")
            for (collection, keys) in ExpectedFromERP(harness.session.simulator).byCollection {
                #expect(Set(harness.session.simulator.receivedRecords(collection).keys) == keys, "\(collection)")
            }
        }
    }

    @Test func retentionRemovesThePagesNothingKeptNamesAndOnlyThose() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let firstList = try harness.pageList(namedBy: "posted/\(#require(harness.files("posted").first { $0.contains("_from-erp_pages_") }))")
            try harness.changeFirstOrder()
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let replaced = Set(try harness.pagesNamed(byList: firstList) + [firstList])
            // A page no run named, as a run killed before naming its pages leaves.
            let stray = String(repeating: "ab", count: 32)
            try Gzip.compress(Array("{}".utf8), name: "stray").write(toPath: "\(harness.spoolDirectory)/pages/\(stray).json.gz")

            try await harness.archiveEverythingAndAgeIt()
            #expect(try await harness.run(["run", "from-erp"]).status == 0, "the third run applies retention as it ends")
            #expect(harness.files("archive").isEmpty, "both archives were past D365MM_ARCHIVE_KEEP")
            let item = try #require(harness.files("posted").first { $0.contains("_from-erp_pages_") })
            let list = try harness.pageList(namedBy: "posted/\(item)")
            let current = Set(try harness.pagesNamed(byList: list) + [list])
            #expect(Set(try harness.pageFiles().keys) == current.union([stray]), "what the kept item names stays, and the page no one knew")
            #expect(!replaced.subtracting(current).isEmpty, "the changed order's old page and the old list were there to remove")
            #expect(try await harness.run(["spool", "show", item]).status == 0)

            try await harness.archiveEverythingAndAgeIt()
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(Set(try harness.pageFiles().keys) == current, "once all that was kept when it was found has gone, so has the unknown page")
        }
    }

    @Test func aPageOfRowsInInboxAsEarlierVersionsWroteItIsStillTaken() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let item = try #require(harness.files("posted").first { $0.contains("_pages_") })
            let list = try JSONParser.parse(try harness.page(harness.pageList(namedBy: "posted/\(item)")))
            let entry = try #require(list["records"]?.arrayValue?.first { $0["entitySet"]?.stringValue == "ProductionOrderHeaders" })
            let address = try #require(entry["content"]?.stringValue?.dropFirst("sha256-tree:".count))
            var rows = try #require(try JSONParser.parse(harness.page(String(address)))["records"]?.arrayValue)
            guard case .object(var row) = rows[0] else {
                Issue.record("a row is an object")
                return
            }
            row["ProductionOrderName"] = .string("Edited by hand")
            rows[0] = .object(row)
            let number = try #require(row["ProductionOrderNumber"]?.stringValue)
            let name = "20260101T000000Z_rold001_from-erp_production-orders_0001.json"
            let envelope = Envelope(
                schema: Envelope.inboxSchema, runID: "rold001", direction: .fromERP, kind: "ProductionOrderHeaders", createdAt: Date(), records: rows)
            try envelope.encoded().write(toPath: "\(harness.spoolDirectory)/inbox/\(name)")

            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(harness.files("inbox").isEmpty && harness.files("posted").contains(name))
            // Once as first pulled, once as edited, once more as D365 has it.
            #expect(harness.session.simulator.receivedRecords("work-orders")["usmf/\(number)"]?.timesReceived == 3)
        }
    }

    @Test func anOldRunsSidecarArchivedLateHoldsBackNoPage() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let firstItem = try #require(harness.files("posted").first { $0.contains("_from-erp_pages_") })
            try harness.changeFirstOrder()
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            try await harness.archiveEverythingAndAgeIt()
            // The error sidecar an item of the first run leaves behind when it is re-driven by hand: packed now, into an
            // archive named for the first run, which names no page.
            let sidecar = firstItem.replacingOccurrences(of: "_pages_0001.json", with: "_work-orders_0099.error.json")
            try Array(#"{"reason": "history"}"#.utf8).write(toPath: "\(harness.spoolDirectory)/failed/\(sidecar)")
            #expect(try await harness.run(["spool", "archive"]).status == 0)
            let late = Set(harness.files("archive")).subtracting(try harness.archiveNames(agedBefore: Date().addingTimeInterval(-86_400)))
            let firstRun = firstItem.split(separator: "_")[1]
            #expect(late.count == 1 && late.first?.contains("_\(firstRun)") == true, "named for the first run: \(late)")

            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(Set(harness.files("archive")) == late, "the archives past D365MM_ARCHIVE_KEEP went; the late one stays")
            let item = try #require(harness.files("posted").first { $0.contains("_from-erp_pages_") })
            let list = try harness.pageList(namedBy: "posted/\(item)")
            #expect(Set(try harness.pageFiles().keys) == Set(try harness.pagesNamed(byList: list) + [list]), "the replaced pages went all the same")
        }
    }

    @Test func aStateDatabaseMadeAnewRemovesNoPageAnArchiveNames() async throws {
        try await withPagedConnector { (harness: ConnectorHarness) async throws in
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let first = try #require(harness.files("posted").first { $0.contains("_from-erp_pages_") })
            try harness.changeFirstOrder()
            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            #expect(try await harness.run(["spool", "archive"]).status == 0)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: harness.spoolDirectory + "/state.sqlite" + suffix) }

            #expect(try await harness.run(["run", "from-erp"]).status == 0)
            let shown = try await harness.run(["spool", "show", first])
            #expect(shown.status == 0, "the first run's pages, which only its archive names, are all still there: \(shown.standardOutput)")
        }
    }
}

/// 160 orders read 40 rows to a page: a run pulls pages of every entity set, several of some.
private func withPagedConnector(_ body: (ConnectorHarness) async throws -> Void) async throws {
    try await withConnector(orders: 160, laborTickets: 0, configure: { $0.pageSize = 40 }, extra: [:], body)
}

extension ConnectorHarness {
    /// Renames the lowest-numbered open order in D365: the page it is on changes.
    fileprivate func changeFirstOrder() throws {
        let order = try #require(ExpectedFromERP(session.simulator).workOrders.sorted().first)
        try session.simulator.update(
            "ProductionOrderHeaders", key: ["dataAreaId": "usmf", "ProductionOrderNumber": String(order.split(separator: "/")[1])],
            set: ["ProductionOrderName": "Changed in D365"])
    }

    /// Packs every finished file, makes every archive older than `D365MM_ARCHIVE_KEEP`, and lets a second pass, so that
    /// the next run, whose items are named a later second than any page was last named, removes them all.
    fileprivate func archiveEverythingAndAgeIt() async throws {
        #expect(try await run(["spool", "archive"]).status == 0)
        try age("archive", by: 400 * 86_400)
        // Pages carry the second the newest list stopped naming them, and go only when every item kept is later.
        try await Task.sleep(for: .seconds(1.1))
    }

    /// The archives last modified before `date`.
    fileprivate func archiveNames(agedBefore date: Date) throws -> Set<String> {
        Set(
            try files("archive").filter { name in
                let modified = try FileManager.default.attributesOfItem(atPath: "\(spoolDirectory)/archive/\(name)")[.modificationDate] as? Date
                return modified.map { $0 < date } ?? false
            })
    }

    /// The files of `pages/`, by address, with their inode and modification time.
    fileprivate func pageFiles() throws -> [String: String] {
        var files: [String: String] = [:]
        for name in self.files("pages") {
            var status = stat()
            guard stat("\(spoolDirectory)/pages/\(name)", &status) == 0 else { continue }
            files[String(name.dropLast(".json.gz".count))] = "\(status.st_ino) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
        }
        return files
    }

    /// The address of the page list a `pages` item names.
    fileprivate func pageList(namedBy path: String) throws -> String {
        let item = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(spoolDirectory)/\(path)"))))
        let checksum = try #require(item["records"]?.arrayValue?.first?["pageList"]?.stringValue)
        #expect(checksum.hasPrefix("sha256-tree:"))
        return String(checksum.dropFirst("sha256-tree:".count))
    }

    /// The addresses of the pages a stored page list names.
    fileprivate func pagesNamed(byList address: String) throws -> [String] {
        let list = try JSONParser.parse(try page(address))
        return try #require(list["records"]?.arrayValue).compactMap { $0["content"]?.stringValue?.dropFirst("sha256-tree:".count) }.map(String.init)
    }

    /// A stored page's document, uncompressed.
    fileprivate func page(_ address: String) throws -> [UInt8] {
        try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: "\(spoolDirectory)/pages/\(address).json.gz"))), name: address)
    }

    /// Changes one character of a stored page's rows and compresses it again: a well-formed file whose rows are not
    /// those its name's checksum stands for, as a flipped bit on flash makes.
    fileprivate func damagePage(_ address: String) throws {
        var document = try page(address)
        let records = try #require(document.indices.dropFirst(document.count / 2).first { document[$0] == UInt8(ascii: "\"") })
        document.insert(UInt8(ascii: "X"), at: records + 1)
        try Gzip.compress(document, name: address).write(toPath: "\(spoolDirectory)/pages/\(address).json.gz")
    }

    fileprivate func archiveManifests() throws -> [JSONValue] {
        try files("archive").map { archive in
            let reader = try TarGzReader(path: "\(spoolDirectory)/archive/\(archive)")
            while let entry = try reader.nextEntry() {
                if entry.name == "manifest.json" { return try JSONParser.parse(try reader.readContents()) }
            }
            Issue.record("\(archive) has no manifest.json")
            return .null
        }
    }

    /// A support bundle's files, by their path inside the bundle's folder.
    fileprivate func bundleEntries() async throws -> [String: String] {
        try await withTemporaryDirectory { output in
            let result = try await run(["bundle", "--output", output])
            #expect(result.status == 0, "\(result.standardError)")
            let path = try #require(result.standardOutput.split(separator: "\n").first { $0.hasPrefix("support bundle written: ") }?.dropFirst(24))
            let reader = try TarGzReader(path: String(path))
            var entries: [String: String] = [:]
            while let entry = try reader.nextEntry() {
                entries[String(entry.name.split(separator: "/", maxSplits: 1).last ?? "")] = String(
                    decoding: try reader.readContents(), as: UTF8.self)
            }
            return entries
        }
    }
}

extension [UInt8] {
    fileprivate func write(toPath path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
