import CrashPoints
import Foundation
import JSON

/// The spool directory: state folders, atomic publishing, moves and listing.
///
/// A file appears in a state folder only complete: it is written in `tmp/`, fsynced, renamed into place and
/// the folder fsynced. Moves between folders are `rename(2)` on one file system, followed by an fsync of both
/// folders, and an item's sidecars move with it. No item is ever put where another item or sidecar is: it takes the
/// next free name (`stem.2.json`). Nothing here deletes an item unless it was archived first
/// (``removeArchived(_:in:)``); only ``purgeTemporaryFiles()`` removes leftovers in `tmp/`.
public struct Spool: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public func path(_ folder: SpoolFolder) -> String { "\(root)/\(folder.rawValue)" }
    public func path(_ folder: SpoolFolder, _ name: String) -> String { "\(root)/\(folder.rawValue)/\(name)" }

    /// The state database's path.
    public var databasePath: String { "\(root)/state.sqlite" }

    /// Creates the spool and its folders (mode 0700) where missing.
    public func create() throws {
        for directory in [root] + SpoolFolder.allCases.map(path) {
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw SpoolError.system("create the folder", directory)
            }
        }
    }

    /// Writes `bytes` as `name` in `folder`, atomically: readers see the whole file or none of it.
    public func publish(_ bytes: [UInt8], as name: String, in folder: SpoolFolder) throws {
        try writeIntoPlace(bytes, as: name, in: folder)
        try syncDirectory(path(folder))
    }

    /// The write of ``publish(_:as:in:)``; the folder is not yet durable.
    private func writeIntoPlace(_ bytes: [UInt8], as name: String, in folder: SpoolFolder) throws {
        // The temporary name keeps only the start of the final one: a name near the file system's limit still fits.
        let temporary = path(.tmp, ".\(SpoolName.fitted(String(name.prefix(48)))).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError.system("create", temporary) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress! + written, buffer.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let failure = SpoolError.system("write", temporary)
                close(descriptor)
                unlink(temporary)
                throw failure
            }
            written += count
        }
        if fsync(descriptor) != 0 {
            let failure = SpoolError.system("flush", temporary)
            close(descriptor)
            unlink(temporary)
            throw failure
        }
        close(descriptor)
        CrashPoint.reached("spool.temp-written")
        let destination = path(folder, name)
        guard Foundation.rename(temporary, destination) == 0 else {
            let failure = SpoolError.system("publish", destination)
            unlink(temporary)
            throw failure
        }
        CrashPoint.reached("spool.renamed")
    }

    /// A sidecar to write beside an item as it moves: the item's name in its new folder, the name it had when that
    /// differs, and the sidecar it replaces (one that travelled with it, or one left behind by an earlier failure of an
    /// item of that name) are added to `content`.
    public struct NewSidecar: Sendable {
        public let kind: Sidecar.Kind
        public let content: JSONObject

        public init(_ kind: Sidecar.Kind, _ content: JSONObject) {
            self.kind = kind
            self.content = content
        }
    }

    /// Moves item `name` from `source` to `destination` with its sidecars, under its own name when that is free there
    /// (for it and its sidecars) and the next free name otherwise; when `sidecar` is given, it is written first.
    /// Returns the item's name in `destination`. Throws ``SpoolError/Code/vanished`` when someone moved it away first.
    @discardableResult
    public func move(_ name: String, from source: SpoolFolder, to destination: SpoolFolder, adding sidecar: NewSidecar? = nil) throws -> String {
        let target = try moveIntoPlace(name, from: source, to: destination, adding: sidecar)
        try syncDirectory(path(destination))
        try syncDirectory(path(source))
        return target
    }

    /// Moves each of `names` as ``move(_:from:to:adding:)`` does, but makes the two folders durable once for all of
    /// them: a run retiring many files pays two fsyncs, not two per file. Returns the names someone had moved away.
    public func move(_ names: [String], from source: SpoolFolder, to destination: SpoolFolder) throws -> [String] {
        var vanished: [String] = []
        for name in names {
            do {
                try moveIntoPlace(name, from: source, to: destination, adding: nil)
            } catch let error as SpoolError where error.code == .vanished {
                vanished.append(name)
            }
        }
        if vanished.count < names.count {
            try syncDirectory(path(destination))
            try syncDirectory(path(source))
        }
        return vanished
    }

    /// The renames of a move; the folders are not yet durable.
    ///
    /// The item moves before the sidecars that travel with it: a crash between leaves a sidecar behind, never an item
    /// without its reason. A new sidecar is written before the item moves, for the same reason.
    @discardableResult
    private func moveIntoPlace(_ name: String, from source: SpoolFolder, to destination: SpoolFolder, adding sidecar: NewSidecar?) throws -> String {
        guard exists(name, in: source) else {
            throw SpoolError(code: .vanished, operation: "move \(name) to \(destination.rawValue)/ from", path: path(source), errorNumber: ENOENT)
        }
        let travelling = Sidecar.Kind.allCases.filter { exists(Sidecar.name(of: $0, for: name), in: source) }
        // The new sidecar may take the place of an old one there only when the item brings none of its kind.
        let replaceable = sidecar.flatMap { travelling.contains($0.kind) ? nil : $0.kind }
        let target = freeName(for: name, in: destination, replacing: replaceable)
        if let sidecar {
            let previous = travelling.contains(sidecar.kind)
                ? try? read(Sidecar.name(of: sidecar.kind, for: name), in: source)
                : try? read(Sidecar.name(of: sidecar.kind, for: target), in: destination)
            var content = JSONObject([("item", .string(target))])
            if target != name { content["renamedFrom"] = .string(name) }
            content.members += sidecar.content.members.filter { $0.key != "item" && $0.key != "renamedFrom" }
            if let previous { content["previous"] = (try? JSONParser.parse(previous)) ?? .string(String(decoding: previous, as: UTF8.self)) }
            try writeIntoPlace(JSONEncoding.bytes(.object(content), style: .pretty) + [0x0A], as: Sidecar.name(of: sidecar.kind, for: target),
                               in: destination)
        }
        try rename(name, in: source, to: target, in: destination)
        CrashPoint.reached("spool.moved")
        for kind in travelling {
            let sidecarName = Sidecar.name(of: kind, for: name)
            if kind == sidecar?.kind {
                // Kept inside the new sidecar as `previous`.
                guard unlink(path(source, sidecarName)) == 0 || errno == ENOENT else { throw SpoolError.system("remove the replaced sidecar", path(source, sidecarName)) }
            } else {
                try? rename(sidecarName, in: source, to: Sidecar.name(of: kind, for: target), in: destination)
            }
        }
        return target
    }

    private func rename(_ name: String, in source: SpoolFolder, to target: String, in destination: SpoolFolder) throws {
        guard Foundation.rename(path(source, name), path(destination, target)) == 0 else {
            throw SpoolError.system("move \(SpoolName.shown(name)) to \(destination.rawValue)/ from", path(source))
        }
    }

    /// A name for item `name` in `folder` that no item and no sidecar there has (but for a sidecar of kind
    /// `replacing`): `name` itself, else `stem.2.json`, `stem.3.json`, …
    func freeName(for name: String, in folder: SpoolFolder, replacing replaceable: Sidecar.Kind? = nil) -> String {
        var candidate = SpoolName.fitted(name)
        var number = 1
        while exists(candidate, in: folder)
            || Sidecar.Kind.allCases.contains(where: { $0 != replaceable && exists(Sidecar.name(of: $0, for: candidate), in: folder) }) {
            number += 1
            candidate = SpoolName.numbered(name, number)
        }
        return candidate
    }

    /// What a folder's entry is, without following a symbolic link.
    public enum EntryKind: Sendable, Equatable {
        case file, symbolicLink, other
    }

    /// What `folder` holds under `name`, if anything; `name` must be a plain file name (``SpoolName/isPlain(_:)``).
    public func entryKind(of name: String, in folder: SpoolFolder) -> EntryKind? {
        var status = stat()
        guard SpoolName.isPlain(name), lstat(path(folder, name), &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Whether `folder` holds anything called `name` (a symbolic link counts, whether or not it leads anywhere).
    func exists(_ name: String, in folder: SpoolFolder) -> Bool {
        var status = stat()
        return lstat(path(folder, name), &status) == 0
    }

    /// Removes a file that an archive, already verified, holds.
    public func removeArchived(_ name: String, in folder: SpoolFolder) throws {
        guard unlink(path(folder, name)) == 0 || errno == ENOENT else { throw SpoolError.system("remove the archived file", path(folder, name)) }
    }

    /// The items in `folder`: regular, non-hidden files, sidecars excepted, sorted by name (which is by age).
    ///
    /// In `inbox/` and `outbound/`, where files are dropped by hand, a file named like a sidecar whose item is not
    /// there is an item too: something must take it on.
    public func items(in folder: SpoolFolder) throws -> [String] {
        let names = try entries(in: folder)
        guard folder == .inbox || folder == .outbound else { return names.filter { !Sidecar.isSidecar($0) } }
        let orphans = Set(Self.orphanedSidecars(among: names))
        return names.filter { !Sidecar.isSidecar($0) || orphans.contains($0) }
    }

    /// The sidecars in `folder` whose item is not there.
    public func orphanedSidecars(in folder: SpoolFolder) throws -> [String] {
        Self.orphanedSidecars(among: try entries(in: folder))
    }

    private static func orphanedSidecars(among names: [String]) -> [String] {
        let present = Set(names)
        return names.filter { name in Sidecar.isSidecar(name) && Sidecar.items(of: name).allSatisfy { !present.contains($0) } }
    }

    /// The items in `folder` that a run of `direction` takes: those named for it, and those whose name does not say
    /// (their envelope decides).
    public func items(in folder: SpoolFolder, for direction: Direction) throws -> [String] {
        try items(in: folder).filter { ItemName(parsing: $0).map { $0.direction == direction } ?? true }
    }

    /// Every regular, non-hidden file in `folder` whose name is UTF-8, sorted by name (none when the folder does not
    /// exist yet). Symbolic links are not followed and not listed. Names that are not UTF-8 are left out: runs give
    /// them one that is (``adoptStrayNames(in:)``) and ``strayNames(in:)`` shows them.
    public func entries(in folder: SpoolFolder) throws -> [String] {
        try regularFiles(in: folder).compactMap { String(validating: $0, as: UTF8.self) }.sorted()
    }

    /// A file's size and modification time; `nil` when it is not there.
    public func attributes(of name: String, in folder: SpoolFolder) -> (size: Int64, modified: Date)? {
        var status = stat()
        guard lstat(path(folder, name), &status) == 0 else { return nil }
        return (Int64(status.st_size), Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec)))
    }

    /// Reads a whole regular file of the spool; a symbolic link is refused, not followed.
    public func read(_ name: String, in folder: SpoolFolder) throws -> [UInt8] {
        let file = path(folder, name)
        let descriptor = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ELOOP ? SpoolError(code: .notAFile, operation: "read", path: file, errorNumber: ELOOP) : SpoolError.system("read", file)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SpoolError.system("read", file) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw SpoolError(code: .notAFile, operation: "read", path: file, errorNumber: EINVAL) }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, bytes.count / 2))) }
            let count = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SpoolError.system("read", file)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Removes what crashed runs left in `tmp/`, whatever their names; call only while holding the lock. Returns the
    /// names removed, as people are shown them.
    @discardableResult
    public func purgeTemporaryFiles() throws -> [String] {
        guard let entries = try DirectoryEntry.list(path(.tmp)) else { return [] }
        for entry in entries where unlink(entry.path(in: path(.tmp))) != 0 && errno != ENOENT {
            throw SpoolError.system("remove the stale temporary file", "\(path(.tmp))/\(SpoolName.shown(entry.name))")
        }
        if !entries.isEmpty { try syncDirectory(path(.tmp)) }
        return entries.map { SpoolName.shown($0.name) }
    }

    /// The names, as bytes, of the regular, non-hidden files in `folder`.
    func regularFiles(in folder: SpoolFolder) throws -> [[UInt8]] {
        let directory = path(folder)
        guard let entries = try DirectoryEntry.list(directory) else {
            if access(root, F_OK) == 0 { return [] }  // a folder an older version did not create yet
            throw SpoolError.system("list", directory)
        }
        return entries.filter { !$0.isHidden && $0.isRegularFile(in: directory) }.map(\.name)
    }

    func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError.system("open the folder", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SpoolError.system("flush the folder", directory) }
    }
}
