internal import CArchive
import Foundation

/// Reads a `.tar.gz` archive entry by entry, streaming each entry's contents.
public final class TarGzReader {
    private let handle: OpaquePointer
    /// The archive file being read.
    public let path: String

    /// One entry's header.
    public struct Entry: Sendable, Equatable {
        /// The entry's path inside the archive.
        public let name: String
        /// The entry's size in bytes, as its header states.
        public let size: Int64
        /// The entry's modification time.
        public let modificationTime: Date
    }

    /// Opens the archive at `path` for reading.
    ///
    /// The corresponding C functions are `archive_read_new`, `archive_read_support_filter_gzip`,
    /// `archive_read_support_format_tar` and `archive_read_open_filename`.
    public init(path: String) throws(ArchiveError) {
        guard let raw = archive_read_new() else {
            throw ArchiveError(path: path, operation: "allocate a reader", message: "out of memory", errorNumber: ENOMEM)
        }
        do {
            try TarGzWriter.check(archive_read_support_filter_gzip(raw), raw, path, "enable gzip")
            try TarGzWriter.check(archive_read_support_format_tar(raw), raw, path, "enable tar")
            try TarGzWriter.check(archive_read_open_filename(raw, path, 64 * 1024), raw, path, "open for reading")
        } catch {
            archive_read_free(raw)
            throw error
        }
        handle = raw
        self.path = path
    }

    deinit {
        archive_read_free(handle)
    }

    /// Moves to the next entry; `nil` at the end of the archive.
    public func nextEntry() throws(ArchiveError) -> Entry? {
        var entry: OpaquePointer?
        let status = UTF8Locale.run { archive_read_next_header(handle, &entry) }
        if status == ARCHIVE_EOF { return nil }
        try TarGzWriter.check(status, handle, path, "read the next entry")
        guard let entry else { return nil }
        let name = UTF8Locale.run {
            archive_entry_pathname_utf8(entry).map { String(cString: $0) } ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        }
        return Entry(
            name: name,
            size: archive_entry_size(entry),
            modificationTime: Date(timeIntervalSince1970: TimeInterval(archive_entry_mtime(entry)))
        )
    }

    /// Streams the current entry's contents to `body`, chunk by chunk.
    public func readContents(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = archive_read_data(handle, &chunk, chunk.count)
            if count == 0 { return }
            guard count > 0 else { throw TarGzWriter.error(handle, path, "read an entry's data") }
            try chunk.withUnsafeBytes { buffer in try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        }
    }

    /// The current entry's whole contents; for small entries such as a manifest.
    public func readContents() throws -> [UInt8] {
        var bytes: [UInt8] = []
        try readContents { bytes.append(contentsOf: $0) }
        return bytes
    }
}
