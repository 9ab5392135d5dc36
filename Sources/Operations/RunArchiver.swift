import Archive
import CrashPoints
import Foundation
import Hashing
import JSON
import Spool
import StateStore

/// Packs finished work into `archive/<time>_<run>.tar.gz` with a `manifest.json`, verifies each archive by reading it
/// back, and only then removes the originals; keeps `archive/` and `pages/` within their age and size limits.
///
/// An archive holds a `pages` item as it is: the pages it names stay in `pages/`, once for every item and archive that
/// names them, and the manifest's `pageLists` says which lists the archive's items name.
///
/// What is finished: files in `posted/` older than ``Policy/archiveAfter``, error sidecars left in `failed/` after an
/// operator re-drove or released their item, and run logs in `log/`. Each run's files go into that run's archive.
public struct RunArchiver {
    public struct Policy: Sendable {
        public var archiveAfter: TimeInterval
        public var keep: TimeInterval
        public var maxBytes: Int64

        public init(archiveAfter: TimeInterval, keep: TimeInterval, maxBytes: Int64) {
            self.archiveAfter = archiveAfter
            self.keep = keep
            self.maxBytes = maxBytes
        }
    }

    /// One file of the spool, by folder and name.
    public struct SpoolFile: Hashable, Sendable {
        public let folder: SpoolFolder
        public let name: String

        public init(folder: SpoolFolder, name: String) {
            self.folder = folder
            self.name = name
        }

        var entryName: String { "\(folder.rawValue)/\(name)" }
    }

    let spool: Spool
    let database: StateDatabase
    let toolVersion: String

    public init(spool: Spool, database: StateDatabase, toolVersion: String) {
        self.spool = spool
        self.database = database
        self.toolVersion = toolVersion
    }

    /// An archive written: its name, and how many files of what size went into it.
    public struct Written: Sendable {
        public let name: String
        public let files: Int
        public let bytes: Int64
    }

    /// Archives every finished file old enough, one archive per run; returns the archives written.
    @discardableResult
    public func archiveFinishedWork(policy: Policy, now: Date = Date()) throws -> [Written] {
        try archiveFinishedWork(olderThan: policy.archiveAfter, now: now)
    }

    /// Archives every finished file older than `age` seconds, one archive per run; returns the archives written.
    @discardableResult
    public func archiveFinishedWork(olderThan age: TimeInterval, now: Date = Date()) throws -> [Written] {
        let cutoff = now.addingTimeInterval(-age)
        var byRun: [String: [SpoolFile]] = [:]
        var bytes: [String: Int64] = [:]
        for file in try finishedFiles() {
            guard let attributes = spool.attributes(of: file.name, in: file.folder), attributes.modified <= cutoff else { continue }
            byRun[Self.runID(of: file), default: []].append(file)
            bytes[Self.runID(of: file), default: 0] += attributes.size
        }
        return try byRun.keys.sorted().map { runID in
            Written(name: try pack(byRun[runID]!, runID: runID, reason: "finished"), files: byRun[runID]!.count, bytes: bytes[runID]!)
        }
    }

    /// Packs `files` into an archive of `runID`, verifies it, removes the originals; returns the archive's name.
    @discardableResult
    public func pack(_ files: [SpoolFile], runID: String, reason: String) throws -> String {
        let run = try database.recentRuns(limit: 1, id: runID).first
        var entries: [JSONValue] = []
        for file in files {
            let path = spool.path(file.folder, file.name)
            guard let digest = SHA256Hex.digest(fileAt: path) else { throw OperationsError("\(path) cannot be read for archiving") }
            entries.append(
                .object(
                    JSONObject([
                        ("name", .string(file.entryName)), ("size", .number(Int(spool.attributes(of: file.name, in: file.folder)?.size ?? 0))),
                        ("sha256", .string(digest)),
                    ])))
        }
        var manifest = JSONObject([
            ("schema", "d365mm.archive/1"), ("runId", .string(runID)), ("toolVersion", .string(toolVersion)), ("reason", .string(reason)),
            ("archivedAt", .string(ItemName.timestamp(Date()))),
        ])
        if let run {
            manifest["direction"] = .string(run.direction)
            manifest["startedAt"] = .string(ItemName.timestamp(run.startedAt))
            manifest["endedAt"] = .string(run.endedAt.map(ItemName.timestamp))
            manifest["outcome"] = .string(run.outcome)
            manifest["exitCode"] = run.exitCode.map { .number($0) } ?? .null
        }
        manifest["files"] = .array(entries)
        let pageLists = files.compactMap(pageListEntry(of:))
        if !pageLists.isEmpty { manifest["pageLists"] = .array(pageLists.map(\.manifestEntry)) }
        let name = freeArchiveName(runID: runID, startedAt: run?.startedAt ?? Date())
        let temporary = spool.path(.tmp, ".\(name).\(getpid())")
        do {
            let writer = try TarGzWriter(path: temporary)
            try writer.add(name: "manifest.json", bytes: JSONEncoding.bytes(.object(manifest), style: .pretty) + [0x0A])
            if let summary = run?.summary { try writer.add(name: "summary.json", bytes: Array(summary.utf8)) }
            for file in files { try writer.addFile(name: file.entryName, from: spool.path(file.folder, file.name)) }
            try writer.finish()
            try Self.verify(temporary, against: entries)
            CrashPoint.reached("archive.verified")
            guard rename(temporary, spool.path(.archive, name)) == 0 else {
                throw OperationsError("the archive cannot be moved into \(spool.path(.archive)): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        CrashPoint.reached("archive.published")
        try database.noteArchivePacked(name, naming: Set(pageLists.flatMap(\.addresses)), at: ItemName.timestamp(Date()))
        for file in files {
            try spool.removeArchived(file.name, in: file.folder)
            CrashPoint.reached("archive.removed-one")
        }
        return name
    }

    /// Deletes archives older than ``Policy/keep``, then the oldest until `archive/` and `pages/` together fit
    /// ``Policy/maxBytes``; removes the pages nothing kept names any more. Returns the archives deleted.
    @discardableResult
    public func applyRetention(policy: Policy, now: Date = Date()) throws -> [String] {
        var archives = try spool.entries(in: .archive).filter { $0.hasSuffix(".tar.gz") }.map { name in
            let attributes = spool.attributes(of: name, in: .archive)
            return (name: name, time: attributes?.modified ?? now, size: attributes?.size ?? 0)
        }.sorted { $0.time < $1.time }
        let collection = PageCollection(spool: spool, database: database)
        var removed: [String] = []
        func removeOldest() throws {
            try spool.removeArchived(archives[0].name, in: .archive)
            removed.append(archives.removeFirst().name)
        }
        while let oldest = archives.first, oldest.time < now.addingTimeInterval(-policy.keep) { try removeOldest() }
        var archivesBytes = archives.reduce(Int64(0)) { $0 + $1.size }
        var pagesBytes = try collection.removeUnnamedPages(keeping: archives.map(\.name)).bytesKept
        while !archives.isEmpty, archivesBytes + pagesBytes > policy.maxBytes {
            archivesBytes -= archives[0].size
            try removeOldest()
            pagesBytes = try collection.removeUnnamedPages(keeping: archives.map(\.name)).bytesKept
        }
        return removed
    }

    /// For a `pages` item, what the manifest says of the pages it names, which stay in `pages/` as long as an archive
    /// or item names them (the page list's address, and any page not there or not intact), and their addresses.
    private func pageListEntry(of file: SpoolFile) -> (manifestEntry: JSONValue, addresses: [String])? {
        guard PageListItem.isItemName(file.name), let bytes = try? spool.read(file.name, in: file.folder),
            let item = PageListItem(named: file.name, bytes: bytes)
        else { return nil }
        let store = PageStore(spool: spool)
        var fields: [(key: String, value: JSONValue)] = [
            ("item", .string(file.entryName)), ("pageList", .string(item.list.checksum)), ("pages", .number(item.pages)),
            ("rows", .number(item.rows)),
        ]
        var addresses = [item.list.hex]
        do {
            let list = try store.pageList(at: item.list)
            addresses += list.entries.map(\.address.hex)
            let absent = list.entries.filter { spool.entryKind(of: $0.address.fileName, in: .pages) != .file }
            if !absent.isEmpty { fields.append(("problem", .string("\(absent.count) of its pages are not in pages/"))) }
        } catch {
            fields.append(("problem", .string(String(describing: error))))
        }
        return (.object(JSONObject(fields)), addresses)
    }

    /// Reads the archive back and checks that it holds every file with the size and digest the manifest names.
    static func verify(_ path: String, against entries: [JSONValue]) throws {
        var expected: [String: (size: Int, sha256: String)] = [:]
        for entry in entries {
            if let name = entry["name"]?.stringValue, let size = entry["size"]?.intValue, let digest = entry["sha256"]?.stringValue {
                expected[name] = (size, digest)
            }
        }
        let reader = try TarGzReader(path: path)
        var seen = Set<String>()
        while let entry = try reader.nextEntry() {
            guard let want = expected[entry.name] else { continue }
            var stream = SHA256Hex.Stream()
            try reader.readContents { stream.update($0) }
            guard entry.size == want.size, stream.finish() == want.sha256 else {
                throw OperationsError("the archive \(path) does not hold \(entry.name) as it was: nothing was removed")
            }
            seen.insert(entry.name)
        }
        guard seen.count == expected.count else {
            throw OperationsError("the archive \(path) lacks \(expected.count - seen.count) file(s): nothing was removed")
        }
    }

    /// Files whose work is done: `posted/` (items and their sidecars), sidecars left without their item in `failed/`
    /// (the history of an item re-driven by hand) or `hold/`, run logs.
    private func finishedFiles() throws -> [SpoolFile] {
        var files = try spool.entries(in: .posted).map { SpoolFile(folder: .posted, name: $0) }
        for folder in [SpoolFolder.failed, .hold] {
            files += try spool.orphanedSidecars(in: folder).map { SpoolFile(folder: folder, name: $0) }
        }
        files += try spool.entries(in: .log).map { SpoolFile(folder: .log, name: $0) }
        return files
    }

    /// The run a spool file belongs to: the second field of the contract's names, or a log's stem.
    static func runID(of file: SpoolFile) -> String {
        if file.folder == .log { return file.name.hasSuffix(".log") ? String(file.name.dropLast(4)) : file.name }
        let fields = file.name.split(separator: "_", maxSplits: 2)
        return fields.count >= 2 && fields[0].count == 16 && fields[0].hasSuffix("Z") ? String(fields[1]) : "unnamed"
    }

    private func freeArchiveName(runID: String, startedAt: Date) -> String {
        let stem = "\(ItemName.timestamp(startedAt))_\(runID)"
        var name = stem + ".tar.gz"
        var counter = 2
        while access(spool.path(.archive, name), F_OK) == 0 {
            name = "\(stem)-\(counter).tar.gz"
            counter += 1
        }
        return name
    }
}
