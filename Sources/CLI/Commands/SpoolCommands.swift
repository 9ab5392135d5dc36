import ArgumentParser
import ConnectorConfiguration
import Foundation
import JSON
import Operations
import ProcessExit
import Redaction
import Spool
import StateStore

extension D365MMCommand {
    struct SpoolCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "spool",
            abstract: "List, show, re-drive, park and delete spool items.",
            discussion: """
                Moving files by hand works too (mv failed/X.json outbound/; the next run of that direction picks it up). \
                These commands do the same safely: they take the spool lock, waiting for a running run to finish \
                (--wait), check that a re-driven file is a valid spool file, and archive before they delete. Bulk forms: \
                give ALL (in capitals) for every item of the source folder, or - to read names from standard input, \
                one per line; a bulk delete only shows what it would do unless --yes is given.

                Names are file names as `spool ls` shows them, without a folder; put -- before a name that starts with \
                a dash (d365mm spool hold -- -odd.json). Paths, .. and symbolic links are refused: nothing outside the \
                spool is touched. Names that are not printable are shown escaped (\\n, \\u{1b}); a file whose name is \
                not UTF-8 is renamed by the next run or spool command (bytes that are not UTF-8 become %XX), and a name \
                too long to have a sidecar beside it is shortened when the item moves; either is said. An item's \
                sidecars (NAME.error.json, NAME.receipt.json) move with it.
                """,
            subcommands: [List.self, Show.self, Requeue.self, Hold.self, Release.self, Delete.self, Purge.self, Archive.self]
        )
    }
}

/// What every changing spool verb accepts.
struct SpoolChangeOptions: ParsableArguments {
    @OptionGroup var configuration: ConfigurationOptions
    @Option(help: ArgumentHelp("How long to wait for a running run's lock before giving up with exit 73.", valueName: "seconds"))
    var wait: Double = 30
    @Argument(help: ArgumentHelp("Item names, ALL, or - to read names from standard input (-- before names that start with -).", valueName: "name"))
    var names: [String]
}

/// Runs `verb` on the named items under the lock; prints what moved; exits 2 when some item could not be handled.
private func change(_ verb: SpoolActions.Verb, _ options: SpoolChangeOptions, confirmed: Bool = true) throws {
    let spool = try SpoolLocation.resolve(configFile: options.configuration.config)
    let lock = try SpoolAccess.lock(spool, waiting: options.wait)
    defer { withExtendedLifetime(lock) {} }
    for adoption in try spool.adoptStrayNames() {
        print("renamed \(adoption.folder.rawValue)/\(adoption.shownName) to \(adoption.name): its name was not UTF-8")
    }
    let actions = SpoolActions(spool: spool, database: try SpoolAccess.database(spool), toolVersion: D365MMVersion.current)
    let names: [String]
    let bulk: Bool
    switch options.names {
    case ["ALL"]:
        names = try actions.allItems(for: verb)
        bulk = true
    case ["-"]:
        names = (readLine(strippingNewline: true).map { first in [first] + Array(sequence(state: (), next: { _ in readLine() })) } ?? [])
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        bulk = true
    default:
        if options.names.contains(where: { $0.lowercased() == "all" && $0 != "ALL" }) {
            printError("d365mm: write ALL in capitals to mean every item; nothing was done.")
            throw ExitStatus.usage.exitCode
        }
        names = options.names
        bulk = false
    }
    if bulk && !confirmed {
        print("Would \(verb.rawValue) \(names.count) item(s) (each archived first):")
        for name in names { print("  \(SpoolName.shown(name))") }
        print("Nothing was done. Add --yes to do it.")
        return
    }
    var problems = 0
    for name in names {
        do {
            let outcome = try actions.perform(verb, on: name)
            let arrival =
                outcome.to.hasPrefix("archive/")
                ? outcome.to
                : "\(outcome.to)/" + (outcome.name == name ? "" : "\(SpoolName.shown(outcome.name)) (\(outcome.to)/ already held that name)")
            print("\(verb.rawValue): \(outcome.from.rawValue)/\(SpoolName.shown(name)) → \(arrival)")
        } catch {
            printError("d365mm: \(verb.rawValue) \(SpoolName.shown(name)): \(error)")
            problems += 1
        }
    }
    if names.isEmpty { print("No items to \(verb.rawValue).") }
    if problems > 0 { throw ExitStatus.partial.exitCode }
}

extension D365MMCommand.SpoolCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List the items of spool folders, with age, size and why they failed.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: ArgumentHelp("Folders to list (default: inbox outbound failed hold).", valueName: "folder"))
        var folders: [String] = []

        func run() async throws {
            let spool = try SpoolLocation.resolve(configFile: options.config)
            let chosen = try (folders.isEmpty ? ["inbox", "outbound", "failed", "hold"] : folders).map { name -> SpoolFolder in
                guard let folder = SpoolFolder(rawValue: name.hasSuffix("/") ? String(name.dropLast()) : name) else {
                    throw ValidationError("\(name) is not a spool folder (\(SpoolFolder.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return folder
            }
            for folder in chosen {
                let items = try spool.items(in: folder)
                print("\(folder.rawValue)/ (\(items.count))")
                for name in items { print("  " + SpoolItemInfo.line(spool: spool, folder: folder, name: name)) }
                for name in try spool.strayNames(in: folder) where !items.contains(name) {
                    print("  \(name)  (a name that is not UTF-8: the next run or spool command renames it)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an item: where it is, what it holds, why it failed and what to do.",
            discussion: """
                An item no longer in the spool is looked for in its run's archives. For a `pages` item (what a from-erp \
                run pulled), the pages it names are listed by entity set and each is read back from pages/ and its \
                checksum checked; exits 2 when one is missing or damaged.
                """)
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: ArgumentHelp("The item's file name, as `spool ls` shows it (-- before a name that starts with -).", valueName: "name"))
        var name: String

        func run() async throws {
            let spool = try SpoolLocation.resolve(configFile: options.config)
            do {
                try SpoolActions.checkItemName(name, sidecarsToo: true)
            } catch {
                printError("d365mm: \(error)")
                throw ExitStatus.usage.exitCode
            }
            let places = SpoolFolder.allCases.compactMap { folder in spool.entryKind(of: name, in: folder).map { (folder, $0) } }
            guard let (folder, kind) = places.first(where: { $0.1 == .file }) ?? places.first else {
                guard let archived = try ArchivedItem.find(name, in: spool) else {
                    printError("d365mm: \(SpoolName.shown(name)) is in no spool folder of \(spool.root), nor in an archive of archive/.")
                    throw ExitStatus.usage.exitCode
                }
                try show(SpoolItemInfo.details(spool: spool, archived: archived))
                return
            }
            guard kind == .file else {
                printError(
                    "d365mm: \(folder.rawValue)/\(SpoolName.shown(name)) is not a regular file (a symbolic link or a folder); d365mm does not follow it out of the spool."
                )
                throw ExitStatus.usage.exitCode
            }
            try show(SpoolItemInfo.details(spool: spool, folder: folder, name: name))
        }

        /// Prints the details; exits 2 when what the item names cannot all be shown as it was.
        private func show(_ details: (text: String, complete: Bool)) throws {
            print(details.text)
            if !details.complete { throw ExitStatus.partial.exitCode }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put failed (or held) items back to work: inbox/ for raw pages, outbound/ for payloads.")
        @OptionGroup var options: SpoolChangeOptions
        func run() async throws { try change(.requeue, options) }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Park items in hold/ (from failed/, inbox/ or outbound/): no run touches them.")
        @OptionGroup var options: SpoolChangeOptions
        func run() async throws { try change(.hold, options) }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put parked items from hold/ back to work.")
        @OptionGroup var options: SpoolChangeOptions
        func run() async throws { try change(.release, options) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete items from failed/ or hold/, archiving each (with its error sidecar) first.")
        @OptionGroup var options: SpoolChangeOptions
        @Flag(help: "Do a bulk delete (ALL or -) instead of only showing what it would delete.")
        var yes = false
        func run() async throws { try change(.delete, options, confirmed: yes) }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove unfinished temporary files that crashed runs left in tmp/.")
        @OptionGroup var options: ConfigurationOptions
        @Option(help: ArgumentHelp("How long to wait for a running run's lock.", valueName: "seconds"))
        var wait: Double = 30

        func run() async throws {
            let spool = try SpoolLocation.resolve(configFile: options.config)
            let lock = try SpoolAccess.lock(spool, waiting: wait)
            defer { withExtendedLifetime(lock) {} }
            let removed = try spool.purgeTemporaryFiles()
            print(removed.isEmpty ? "tmp/ holds no unfinished files." : "removed \(removed.count) unfinished file(s) from tmp/")
        }
    }
}

extension D365MMCommand.SpoolCommand {
    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pack finished files into archive/ now, instead of at the end of a run.",
            discussion: """
                Packs what runs finished (posted/ items with their receipts, run logs, sidecars of re-driven items) into \
                archive/, one archive per run, reads each back against its manifest and only then removes the originals. \
                Runs do this themselves for files older than D365MM_ARCHIVE_AFTER; this does it at once, for example \
                before copying or cleaning the spool. Retention still happens at the end of runs.
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(
            name: .customLong("older-than"),
            help: ArgumentHelp(
                "Pack only files older than this age, \(DurationText.ageUnits). Default: every finished file.", valueName: "age"))
        var olderThan: String?
        @Option(help: ArgumentHelp("How long to wait for a running run's lock.", valueName: "seconds"))
        var wait: Double = 30

        func run() async throws {
            var age: TimeInterval = 0
            if let olderThan {
                guard let parsed = DurationText.seconds(olderThan, as: .age) else {
                    printError("d365mm: --older-than must be \(DurationText.ageUnits), such as 12h or 7d; not '\(olderThan)'")
                    throw ExitStatus.usage.exitCode
                }
                age = parsed
            }
            let spool = try SpoolLocation.resolve(configFile: options.config)
            let lock = try SpoolAccess.lock(spool, waiting: wait)
            defer { withExtendedLifetime(lock) {} }
            let archiver = RunArchiver(spool: spool, database: try SpoolAccess.database(spool), toolVersion: D365MMVersion.current)
            let started = Date()
            let written = try archiver.archiveFinishedWork(olderThan: age)
            let seconds = Date().timeIntervalSince(started)
            guard !written.isEmpty else {
                print("No finished files\(olderThan.map { " older than \($0)" } ?? "") to archive.")
                return
            }
            let megabytes = Double(written.reduce(0) { $0 + $1.bytes }) / 1_048_576
            print(
                String(
                    format: "archived %d file(s), %.1f MB, of %d run(s) into archive/ in %.2f s (%.1f MB/s)",
                    written.reduce(0) { $0 + $1.files }, megabytes, written.count, seconds, seconds > 0 ? megabytes / seconds : 0))
        }
    }
}

/// How `spool ls` and `spool show` describe an item.
enum SpoolItemInfo {
    static func line(spool: Spool, folder: SpoolFolder, name: String) -> String {
        let attributes = spool.attributes(of: name, in: folder)
        let age = Date().timeIntervalSince(attributes?.modified ?? Date())
        var line = "\(SpoolName.shown(name))  \(StatusReport.sizeText(attributes?.size ?? 0))  \(StatusReport.age(age)) old"
        if let reason = sidecar(spool: spool, folder: folder, name: name)?["reason"]?.stringValue {
            line += "\n      " + StatusReport.clip(PrintableText.escaped(reason), 74)
        }
        return line
    }

    /// An item in a spool folder: where it is, what it holds, why it failed and what to do; `complete` is false when
    /// it names a stored page that is missing or damaged.
    static func details(spool: Spool, folder: SpoolFolder, name: String) -> (text: String, complete: Bool) {
        var lines = [
            "\(folder.rawValue)/\(SpoolName.shown(name))",
            "  " + line(spool: spool, folder: folder, name: name).replacingOccurrences(of: "\n", with: "\n  "),
        ]
        var complete = true
        if let bytes = try? spool.read(name, in: folder) {
            let content = contentLines(bytes, spool: spool)
            lines += content.lines
            complete = content.complete
        }
        lines += sidecarLines(
            error: sidecar(spool: spool, folder: folder, name: name), receipt: try? spool.read(Sidecar.receiptName(for: name), in: folder),
            why: "Why it is in \(folder.rawValue)/")
        return (lines.joined(separator: "\n"), complete)
    }

    /// An item found in an archive, shown as ``details(spool:folder:name:)`` shows one in the spool.
    static func details(spool: Spool, archived item: ArchivedItem) -> (text: String, complete: Bool) {
        var lines = ["archive/\(item.archive): \(SpoolName.shown(item.entryName))", "  \(StatusReport.sizeText(Int64(item.bytes.count))), archived"]
        let content = contentLines(item.bytes, spool: spool)
        lines += content.lines
        lines += sidecarLines(
            error: item.sidecars[.error].flatMap { try? JSONParser.parse($0) }, receipt: item.sidecars[.receipt],
            why: "Why it was in \(item.entryName.prefix { $0 != "/" })/")
        return (lines.joined(separator: "\n"), content.complete)
    }

    /// What an item's bytes hold; for a `pages` item, the pages it names and whether each is intact.
    private static func contentLines(_ bytes: [UInt8], spool: Spool) -> (lines: [String], complete: Bool) {
        let envelope =
            (try? Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema))
            ?? (try? Envelope.decode(bytes, expectedSchema: Envelope.outboundSchema))
        guard let envelope else { return (["  not a valid spool file (see the error below, or `d365mm spool requeue` refuses it)"], true) }
        var lines = [
            "  \(envelope.schema): \(envelope.direction.rawValue) \(envelope.kind), \(envelope.records.count) record(s), run \(envelope.runID), checksum good"
        ]
        guard envelope.kind == PageListItem.kind, let item = try? PageListItem(envelope) else { return (lines, true) }
        let report = PageListReport(item: item, store: PageStore(spool: spool))
        lines += report.lines
        return (lines, report.isWhole)
    }

    /// What an item's sidecars say: `why` heads the error's reason.
    private static func sidecarLines(error: JSONValue?, receipt: [UInt8]?, why: String) -> [String] {
        var lines: [String] = []
        if let error {
            lines.append("  \(why): \(error["reason"]?.stringValue ?? "?")")
            lines.append("  What to do: \(error["whatToDo"]?.stringValue ?? "?")")
            lines.append(
                "  (stage \(error["stage"]?.stringValue ?? "?"), run \(error["runId"]?.stringValue ?? "?"), \(error["at"]?.stringValue ?? "?"))")
        }
        if let receipt {
            lines.append("  Receipt: " + String(decoding: receipt, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  "))
        }
        return lines
    }

    private static func sidecar(spool: Spool, folder: SpoolFolder, name: String) -> JSONValue? {
        guard let bytes = try? spool.read(Sidecar.errorName(for: name), in: folder) else { return nil }
        return try? JSONParser.parse(bytes)
    }
}
