internal import CArchive
import Foundation

/// Writes a gzip-compressed POSIX tar archive, one entry at a time.
///
/// Entries are streamed: a file added from disk is copied in small chunks and never held whole in
/// memory. Call ``finish()`` to flush the archive; an archive that was not finished is incomplete
/// and must not be trusted (its reader will report it truncated).
public final class TarGzWriter {
    /// The version of the system `libarchive` in use, e.g. `libarchive 3.7.2 zlib/1.3 …`.
    public static var libraryVersion: String { String(cString: archive_version_details()) }

    private let handle: OpaquePointer
    private var finished = false
    /// The archive file being written.
    public let path: String

    /// Creates (or truncates) the archive file at `path`.
    ///
    /// The corresponding C functions are `archive_write_new`, `archive_write_set_format_pax_restricted`,
    /// `archive_write_add_filter_gzip` and `archive_write_open_filename`.
    public init(path: String) throws(ArchiveError) {
        guard let raw = archive_write_new() else {
            throw ArchiveError(path: path, operation: "allocate a writer", message: "out of memory", errorNumber: ENOMEM)
        }
        do throws(ArchiveError) {
            try Self.check(archive_write_set_format_pax_restricted(raw), raw, path, "select the tar format")
            try Self.check(archive_write_add_filter_gzip(raw), raw, path, "select gzip compression")
            // Created first, owner-only: libarchive would create it readable by everyone (0666 less the umask).
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw ArchiveError(path: path, operation: "create", message: String(cString: strerror(errno)), errorNumber: errno)
            }
            close(descriptor)
            try Self.check(archive_write_open_filename(raw, path), raw, path, "open for writing")
        } catch {
            archive_write_free(raw)
            throw error
        }
        handle = raw
        self.path = path
    }

    deinit {
        // An unfinished archive is closed without being completed, so that its reader sees truncation.
        if !finished { archive_write_fail(handle) }
        archive_write_free(handle)
    }

    /// Adds an entry named `name` holding `bytes`.
    public func add(name: String, bytes: some Collection<UInt8>, modificationTime: Date = Date(), permissions: Int32 = 0o600) throws {
        try writeHeader(name: name, size: Int64(bytes.count), modificationTime: modificationTime, permissions: permissions)
        let array = Array(bytes)
        try array.withUnsafeBytes { buffer in
            try writeData(buffer, name: name)
        }
    }

    /// Adds the regular file at `sourcePath` as an entry named `name`, streaming its contents.
    public func addFile(name: String, from sourcePath: String) throws {
        guard let input = FileHandle(forReadingAtPath: sourcePath) else {
            throw ArchiveError(path: path, operation: "read \(sourcePath)", message: String(cString: strerror(errno)), errorNumber: errno)
        }
        defer { try? input.close() }
        var status = stat()
        guard fstat(input.fileDescriptor, &status) == 0 else {
            throw ArchiveError(path: path, operation: "stat \(sourcePath)", message: String(cString: strerror(errno)), errorNumber: errno)
        }
        let modified = Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec))
        try writeHeader(name: name, size: Int64(status.st_size), modificationTime: modified, permissions: Int32(status.st_mode & 0o777))
        var remaining = Int64(status.st_size)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while remaining > 0 {
            let count = read(input.fileDescriptor, &chunk, min(chunk.count, Int(remaining)))
            guard count > 0 else {
                let reason = count == 0 ? "the file shrank while being archived" : String(cString: strerror(errno))
                throw ArchiveError(path: path, operation: "read \(sourcePath)", message: reason, errorNumber: count == 0 ? EIO : errno)
            }
            try chunk.withUnsafeBytes { buffer in
                try writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), name: name)
            }
            remaining -= Int64(count)
        }
    }

    /// Completes the archive and closes its file. The archive is valid only after this returns.
    ///
    /// The corresponding C function is `archive_write_close`.
    public func finish() throws(ArchiveError) {
        guard !finished else { return }
        finished = true
        try Self.check(archive_write_close(handle), handle, path, "complete the archive")
    }

    private func writeHeader(name: String, size: Int64, modificationTime: Date, permissions: Int32) throws(ArchiveError) {
        guard let entry = archive_entry_new() else {
            throw ArchiveError(path: path, operation: "allocate an entry", message: "out of memory", errorNumber: ENOMEM)
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, name)
        archive_entry_set_size(entry, size)
        archive_entry_set_filetype(entry, carchive_ifreg())
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_mtime(entry, time_t(modificationTime.timeIntervalSince1970), 0)
        try UTF8Locale.run { () throws(ArchiveError) in
            try Self.check(archive_write_header(handle, entry), handle, path, "write the header of \(name)")
        }
    }

    private func writeData(_ buffer: UnsafeRawBufferPointer, name: String) throws(ArchiveError) {
        var offset = 0
        while offset < buffer.count {
            let written = archive_write_data(handle, buffer.baseAddress! + offset, buffer.count - offset)
            guard written > 0 else {
                throw Self.error(handle, path, "write the data of \(name)")
            }
            offset += written
        }
    }

    static func check(_ status: Int32, _ handle: OpaquePointer, _ path: String, _ operation: String) throws(ArchiveError) {
        guard status >= ARCHIVE_WARN else { throw error(handle, path, operation) }
    }

    static func error(_ handle: OpaquePointer, _ path: String, _ operation: String) -> ArchiveError {
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(path: path, operation: operation, message: message, errorNumber: archive_errno(handle))
    }
}
