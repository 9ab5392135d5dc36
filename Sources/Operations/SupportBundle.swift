import Archive
import Foundation
import JSON
import Redaction
import Spool
import StateStore

/// `d365mm bundle`: what support needs to understand a site, in one `.tar.gz`, with every secret masked while it
/// is collected. Each collector's outcome (gathered, or why not) is in the bundle's `manifest.json`.
public struct SupportBundle {
    public struct Options: Sendable {
        /// How many of the newest archives to include.
        public var archives: Int
        /// Stop adding archived and failed files beyond this many bytes (the rest is named in the manifest as left out).
        public var maxBytes: Int64

        public init(archives: Int, maxBytes: Int64) {
            self.archives = archives
            self.maxBytes = maxBytes
        }
    }

    /// The configuration as loaded, one line per variable, values of secrets already masked by the caller.
    public let configurationText: String
    public let toolVersion: String
    let spool: Spool
    let database: StateDatabase?
    let redactor: BundleRedactor
    let options: Options

    public init(spool: Spool, database: StateDatabase?, configurationText: String, toolVersion: String, redactor: BundleRedactor, options: Options) {
        self.spool = spool
        self.database = database
        self.configurationText = configurationText
        self.toolVersion = toolVersion
        self.redactor = redactor
        self.options = options
    }

    /// Writes the bundle into `directory`; returns its path and short id.
    public func write(into directory: String, status: StatusReport) throws -> (path: String, id: String) {
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let stem = "d365mm-bundle-\(ItemName.timestamp(Date()))-\(id)"
        let path = "\(directory)/\(stem).tar.gz"
        let temporary = "\(directory)/.\(stem).tar.gz.partial"
        var collectors: [JSONValue] = []
        var budget = options.maxBytes
        var pageLists = BundledPageLists()
        do {
            let writer = try TarGzWriter(path: temporary)
            func add(_ name: String, _ text: String) throws -> Int {
                let bytes = Array(redactor.redact(text).utf8)
                try writer.add(name: "\(stem)/\(name)", bytes: bytes)
                return bytes.count
            }
            func collect(_ name: String, _ body: () throws -> (files: Int, bytes: Int, note: String?)) {
                do {
                    let result = try body()
                    var entry = JSONObject([
                        ("collector", .string(name)), ("status", "gathered"), ("files", .number(result.files)), ("bytes", .number(result.bytes)),
                    ])
                    if let note = result.note { entry["note"] = .string(note) }
                    collectors.append(.object(entry))
                } catch {
                    collectors.append(
                        .object(JSONObject([("collector", .string(name)), ("status", "failed"), ("reason", .string(redactor.redact("\(error)")))])))
                }
            }
            collect("status") { (1, try add("status.json", JSONEncoding.string(status.json, style: .pretty) + "\n"), nil) }
            collect("configuration") { (1, try add("configuration.txt", configurationText), "secrets masked; origins shown") }
            collect("versions") { (1, try add("versions.txt", Self.versions(toolVersion: toolVersion)), nil) }
            collect("state-summary") {
                guard let database else {
                    if let problem = status.databaseProblem { throw OperationsError(problem) }
                    return (0, 0, "no state database yet: no run has used this spool")
                }
                return (1, try add("state-summary.json", JSONEncoding.string(try Self.stateSummary(database), style: .pretty) + "\n"), nil)
            }
            collect("spool-listing") { (1, try add("spool-listing.txt", try spoolListing()), nil) }
            collect("run-logs") {
                var files = 0
                var bytes = 0
                for name in try spool.entries(in: .log) {
                    bytes += try add("logs/\(name)", String(decoding: try spool.read(name, in: .log), as: UTF8.self))
                    files += 1
                }
                return (files, bytes, files == 0 ? "no run logs waiting in log/ (older ones are inside the archives)" : nil)
            }
            collect("failed-and-held") {
                var files = 0
                var bytes = 0
                var leftOut = 0
                var unreadable: [String] = []
                for folder in [SpoolFolder.failed, .hold] {
                    for name in try spool.entries(in: folder) {
                        guard let content = try? spool.read(name, in: folder) else {
                            unreadable.append("\(folder.rawValue)/\(SpoolName.shown(name))")
                            continue
                        }
                        guard budget - Int64(content.count) >= 0 else {
                            leftOut += 1
                            continue
                        }
                        pageLists.note(name, content)
                        let written = try add("\(folder.rawValue)/\(name)", String(decoding: content, as: UTF8.self))
                        budget -= Int64(written)
                        bytes += written
                        files += 1
                    }
                }
                let notes =
                    (leftOut > 0 ? ["\(leftOut) file(s) left out: the bundle reached its size cap"] : [])
                    + (unreadable.isEmpty ? [] : ["could not read \(unreadable.joined(separator: ", "))"])
                return (files, bytes, notes.isEmpty ? nil : notes.joined(separator: "; "))
            }
            collect("archives") {
                let names = try spool.entries(in: .archive).filter { $0.hasSuffix(".tar.gz") }.sorted().suffix(options.archives)
                var files = 0
                var bytes = 0
                var leftOut = 0
                for name in names.reversed() {
                    // Unpacked entry by entry, so that what they hold is masked like everything else.
                    let reader = try TarGzReader(path: spool.path(.archive, name))
                    while let entry = try reader.nextEntry() {
                        guard budget - entry.size >= 0 else {
                            leftOut += 1
                            continue
                        }
                        let content = try reader.readContents()
                        pageLists.note(entry.name, content)
                        let written = try add(
                            "archives/\(name.replacingOccurrences(of: ".tar.gz", with: ""))/\(entry.name)", String(decoding: content, as: UTF8.self))
                        budget -= Int64(written)
                        bytes += written
                        files += 1
                    }
                }
                return (
                    files, bytes,
                    leftOut > 0 ? "\(leftOut) archived file(s) left out: the bundle reached its size cap" : "the newest \(names.count) archive(s)"
                )
            }
            collect("pages") {
                var files = 0
                var bytes = 0
                var leftOut = 0
                var notes: [String] = []
                try pageLists.forEachPage(in: PageStore(spool: spool), notes: &notes) { address, document in
                    guard budget - Int64(document.count) >= 0 else {
                        leftOut += 1
                        return
                    }
                    let written = try add("pages/\(address.hex).json", String(decoding: document, as: UTF8.self))
                    budget -= Int64(written)
                    bytes += written
                    files += 1
                }
                if leftOut > 0 { notes.append("\(leftOut) page(s) left out: the bundle reached its size cap") }
                return (files, bytes, notes.isEmpty ? "each page the pages items above name, once, uncompressed" : notes.joined(separator: "; "))
            }
            let manifest = JSONObject([
                ("schema", "d365mm.bundle/1"), ("id", .string(id)), ("createdAt", .string(ItemName.timestamp(Date()))),
                ("toolVersion", .string(toolVersion)),
                ("spool", .string(spool.root)), ("collectors", .array(collectors)),
            ])
            try writer.add(name: "\(stem)/manifest.json", bytes: JSONEncoding.bytes(.object(manifest), style: .pretty) + [0x0A])
            try writer.finish()
            guard rename(temporary, path) == 0 else {
                throw OperationsError("the bundle cannot be moved to \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return (path, id)
    }

    private func spoolListing() throws -> String {
        var lines: [String] = []
        for folder in SpoolFolder.allCases {
            let names = try spool.entries(in: folder)
            lines.append("\(folder.rawValue)/ (\(names.count))")
            if folder == .pages {
                // Named by address only: what each holds is in the pages collector's files.
                lines.append("  \(try PageStore(spool: spool).usage().bytes) bytes in all")
                continue
            }
            for name in names {
                guard let attributes = spool.attributes(of: name, in: folder) else { continue }
                lines.append("  \(SpoolName.shown(name))  \(attributes.size) bytes  modified \(ItemName.timestamp(attributes.modified))")
            }
            for name in (try? spool.strayNames(in: folder)) ?? [] where !names.contains(name) {
                lines.append("  \(name)  (a name that is not UTF-8: the next run renames it)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func versions(toolVersion: String) -> String {
        var system = utsname()
        uname(&system)
        func field<T>(_ value: T) -> String { withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
        return """
            d365mm \(toolVersion)
            kernel: \(field(system.sysname)) \(field(system.release)) \(field(system.machine))
            os: \(release.map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "unknown")
            sqlite: \(Connection.libraryVersion)
            libarchive: \(TarGzWriter.libraryVersion)

            """
    }

    /// Counts of the state database: what it knows, never a secret (it holds none).
    static func stateSummary(_ database: StateDatabase) throws -> JSONValue {
        let summary = try database.summary()
        let tables = JSONObject(summary.rowsPerTable.map { ($0.table, .number($0.rows)) })
        let perCollection = JSONObject(
            summary.acceptedRecords.map {
                ($0.collection, .object(JSONObject([("accepted", .number($0.accepted)), ("inScope", .number($0.inScope))])))
            })
        let watermarks = summary.watermarks.map { JSONValue.object(JSONObject([("name", .string($0.name)), ("value", .string($0.value))])) }
        return .object(
            JSONObject([
                ("schemaVersion", .number(summary.schemaVersion)), ("rows", .object(tables)), ("recordsAccepted", .object(perCollection)),
                ("watermarks", .array(watermarks)),
            ]))
    }
}
