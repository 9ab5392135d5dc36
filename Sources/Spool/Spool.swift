import CrashPoints
import Foundation

/// The spool directory: state folders, atomic publishing, moves and listing.
///
/// A file appears in a state folder only complete: it is written in `tmp/`, fsynced, renamed into place and
/// the folder fsynced. Moves between folders are `rename(2)` on one file system, followed by an fsync of both
/// folders, and an item's sidecars move with it. No item is ever put where another item or sidecar is: it takes the
/// next free name (`stem.2.json`). Nothing here deletes an item unless it was archived first
/// (``removeArchived(_:in:)``); only ``purgeTemporaryFiles()`` removes leftovers in `tmp/`, and ``PageStore`` pages
/// that no item or archive names.
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
    func writeIntoPlace(_ bytes: [UInt8], as name: String, in folder: SpoolFolder) throws {
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
    func exists(_ name: String, in folder: SpoolFolder) -> Bool { entryKind(of: name, in: folder) != nil }

    /// Removes a file that an archive, already verified, holds.
    public func removeArchived(_ name: String, in folder: SpoolFolder) throws {
        guard unlink(path(folder, name)) == 0 || errno == ENOENT else { throw SpoolError.system("remove the archived file", path(folder, name)) }
    }

    /// Removes a page of `pages/` that no item or archive names any more.
    func removeUnnamedPage(_ name: String) throws {
        guard unlink(path(.pages, name)) == 0 || errno == ENOENT else { throw SpoolError.system("remove the unused page", path(.pages, name)) }
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
