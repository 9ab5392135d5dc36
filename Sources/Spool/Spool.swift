import CrashPoints
import Foundation

/// The spool directory: state folders, atomic publishing, moves and listing.
///
/// A file appears in a state folder only complete: it is written in `tmp/`, fsynced, renamed into place and
/// the folder fsynced. Moves between folders are `rename(2)` on one file system, followed by an fsync of both
/// folders. Nothing here deletes an item unless it was archived first (``removeArchived(_:in:)``); only
/// ``purgeTemporaryFiles()`` removes leftovers in `tmp/`.
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
        let temporary = path(.tmp, ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
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
        guard rename(temporary, destination) == 0 else {
            let failure = SpoolError.system("publish", destination)
            unlink(temporary)
            throw failure
        }
        CrashPoint.reached("spool.renamed")
        try syncDirectory(path(folder))
    }

    /// Moves `name` from `source` to `destination`, keeping its name unless that name is taken there, and
    /// returns the name it has now. Throws ``SpoolError/Code/vanished`` when someone moved it away first.
    @discardableResult
    public func move(_ name: String, from source: SpoolFolder, to destination: SpoolFolder) throws -> String {
        let target = try renameIntoPlace(name, from: source, to: destination)
        try syncDirectory(path(destination))
        try syncDirectory(path(source))
        return target
    }

    /// Moves each of `names` as ``move(_:from:to:)`` does, but makes the two folders durable once for all of them:
    /// a run retiring many files pays two fsyncs, not two per file. Returns the names someone had moved away first.
    public func move(_ names: [String], from source: SpoolFolder, to destination: SpoolFolder) throws -> [String] {
        var vanished: [String] = []
        for name in names {
            do {
                try renameIntoPlace(name, from: source, to: destination)
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

    /// The rename of a move, under a free name in `destination`; the folders are not yet durable.
    @discardableResult
    private func renameIntoPlace(_ name: String, from source: SpoolFolder, to destination: SpoolFolder) throws -> String {
        let target = freeName(name, in: destination)
        guard rename(path(source, name), path(destination, target)) == 0 else {
            throw SpoolError.system("move \(name) to \(destination.rawValue)/ from", path(source))
        }
        CrashPoint.reached("spool.moved")
        return target
    }

    /// Removes a file that an archive, already verified, holds.
    public func removeArchived(_ name: String, in folder: SpoolFolder) throws {
        guard unlink(path(folder, name)) == 0 || errno == ENOENT else { throw SpoolError.system("remove the archived file", path(folder, name)) }
    }

    /// The items in `folder`: regular, non-hidden files, sidecars excepted, sorted by name (which is by age).
    public func items(in folder: SpoolFolder) throws -> [String] {
        try entries(in: folder).filter { !Sidecar.isSidecar($0) }
    }

    /// The items in `folder` that a run of `direction` takes: those named for it, and those whose name does not say
    /// (their envelope decides).
    public func items(in folder: SpoolFolder, for direction: Direction) throws -> [String] {
        try items(in: folder).filter { ItemName(parsing: $0).map { $0.direction == direction } ?? true }
    }

    /// Every regular, non-hidden file in `folder`, sorted by name (none when the folder does not exist yet).
    public func entries(in folder: SpoolFolder) throws -> [String] {
        let directory = path(folder)
        guard let handle = opendir(directory) else {
            if errno == ENOENT && access(root, F_OK) == 0 { return [] }  // a folder an older version did not create yet
            throw SpoolError.system("list", directory)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            // The listing says what an entry is on most file systems; posted/ can hold thousands of files, and every
            // run lists it.
            switch Int(entry.pointee.d_type) {
            case Int(DT_REG): names.append(name)
            case Int(DT_UNKNOWN), Int(DT_LNK):
                var status = stat()
                if stat("\(directory)/\(name)", &status) == 0, status.st_mode & S_IFMT == S_IFREG { names.append(name) }
            default: continue
            }
        }
        return names.sorted()
    }

    /// A file's size and modification time; `nil` when it is not there.
    public func attributes(of name: String, in folder: SpoolFolder) -> (size: Int64, modified: Date)? {
        var status = stat()
        guard stat(path(folder, name), &status) == 0 else { return nil }
        return (Int64(status.st_size), Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec)))
    }

    /// Reads a whole file of the spool.
    public func read(_ name: String, in folder: SpoolFolder) throws -> [UInt8] {
        let file = path(folder, name)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SpoolError.system("read", file, FileManager.default.fileExists(atPath: file) ? EACCES : ENOENT)
        }
        return Array(data)
    }

    /// Removes what crashed runs left in `tmp/`; call only while holding the lock. Returns the names removed.
    @discardableResult
    public func purgeTemporaryFiles() throws -> [String] {
        let directory = path(.tmp)
        guard let handle = opendir(directory) else {
            if errno == ENOENT && access(root, F_OK) == 0 { return [] }  // a folder an older version did not create yet
            throw SpoolError.system("list", directory)
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(handle)
        for name in names where unlink("\(directory)/\(name)") != 0 && errno != ENOENT {
            throw SpoolError.system("remove the stale temporary file", "\(directory)/\(name)")
        }
        if !names.isEmpty { try syncDirectory(directory) }
        return names
    }

    /// A name not yet taken in `folder`: `name` itself, else `stem.2.json`, `stem.3.json`, …
    private func freeName(_ name: String, in folder: SpoolFolder) -> String {
        guard access(path(folder, name), F_OK) == 0 else { return name }
        let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        let suffix = name.hasSuffix(".json") ? ".json" : ""
        var number = 2
        while access(path(folder, "\(stem).\(number)\(suffix)"), F_OK) == 0 { number += 1 }
        return "\(stem).\(number)\(suffix)"
    }

    private func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpoolError.system("open the folder", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SpoolError.system("flush the folder", directory) }
    }
}
