internal import CArchive
import Foundation

/// One file's worth of bytes compressed as a plain `.gz` stream (gzip's own format, which `zcat` reads), by libarchive's
/// raw format and gzip filter.
public enum Gzip {
    /// `bytes` compressed; `name` only names the data in an error.
    ///
    /// The corresponding C functions are `archive_write_set_format_raw`, `archive_write_add_filter_gzip` and
    /// `archive_write_open_memory`.
    public static func compress(_ bytes: [UInt8], name: String) throws(ArchiveError) -> [UInt8] {
        // libarchive's filter starts the stream with the first byte of data: no data would make no stream at all.
        guard !bytes.isEmpty else { return emptyStream }
        // Rows of JSON shrink about tenfold, so a quarter of their size is room enough and keeps a pull of many pages
        // at once small. A buffer too small fails cleanly; the next is as large as deflate's worst case (5 bytes per
        // 16 KiB block, and gzip's header and trailer).
        if let compressed = try compress(bytes, name: name, into: bytes.count / 4 + 4096) { return compressed }
        guard let compressed = try compress(bytes, name: name, into: bytes.count + bytes.count / 1000 + 1024) else {
            throw ArchiveError(path: name, operation: "compress", message: "the data grew beyond deflate's worst case", errorNumber: EOVERFLOW)
        }
        return compressed
    }

    /// The bytes of the gzip stream `compressed`; throws when it is not one or is cut short.
    ///
    /// The corresponding C functions are `archive_read_support_filter_gzip`, `archive_read_support_format_raw` and
    /// `archive_read_open_memory`.
    public static func decompress(_ compressed: [UInt8], name: String) throws(ArchiveError) -> [UInt8] {
        // libarchive's raw reader finds no entry in a stream of no data; such a stream is ours.
        guard compressed != emptyStream else { return [] }
        // libarchive reads the memory until `archive_read_free`, after a closure's pointer would be gone: a copy of
        // its own, freed after the reader.
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, compressed.count), alignment: 1)
        defer { input.deallocate() }
        input.copyBytes(from: compressed)
        guard let raw = archive_read_new() else {
            throw ArchiveError(path: name, operation: "allocate a reader", message: "out of memory", errorNumber: ENOMEM)
        }
        defer { archive_read_free(raw) }
        try TarGzWriter.check(archive_read_support_filter_gzip(raw), raw, name, "enable gzip")
        try TarGzWriter.check(archive_read_support_format_raw(raw), raw, name, "enable raw data")
        try TarGzWriter.check(archive_read_open_memory(raw, input.baseAddress, compressed.count), raw, name, "open for reading")
        var entry: OpaquePointer?
        try TarGzWriter.check(archive_read_next_header(raw, &entry), raw, name, "read the gzip header")
        // Raw reading takes anything; a stream that is not gzip passes through unchanged and is refused here.
        guard archive_filter_code(raw, 0) == ARCHIVE_FILTER_GZIP else {
            throw ArchiveError(path: name, operation: "read", message: "the data is not gzip-compressed", errorNumber: EINVAL)
        }
        var output: [UInt8] = []
        output.reserveCapacity(compressed.count * 8)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { archive_read_data(raw, $0.baseAddress, $0.count) }
            if count == 0 { return output }
            guard count > 0 else { throw TarGzWriter.error(raw, name, "decompress") }
            output.append(contentsOf: chunk[0..<count])
        }
    }

    /// A gzip stream of no data: the header, an empty final block, and a CRC and length of zero.
    private static let emptyStream: [UInt8] = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    /// The compressed bytes, or `nil` when they did not fit in `capacity`.
    private static func compress(_ bytes: [UInt8], name: String, into capacity: Int) throws(ArchiveError) -> [UInt8]? {
        // libarchive writes into the memory, and the count of bytes used, until `archive_write_free`: both of its own,
        // freed after the writer.
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        let used = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        used.initialize(to: 0)
        defer {
            output.deallocate()
            used.deallocate()
        }
        guard let raw = archive_write_new(), let entry = archive_entry_new() else {
            throw ArchiveError(path: name, operation: "allocate a writer", message: "out of memory", errorNumber: ENOMEM)
        }
        defer {
            archive_entry_free(entry)
            archive_write_free(raw)
        }
        try TarGzWriter.check(archive_write_set_format_raw(raw), raw, name, "select raw data")
        try TarGzWriter.check(archive_write_add_filter_gzip(raw), raw, name, "select gzip compression")
        // No padding to tar's 10 KiB blocks: the stream ends where its data does.
        try TarGzWriter.check(archive_write_set_bytes_in_last_block(raw, 1), raw, name, "end the stream with its data")
        try TarGzWriter.check(archive_write_open_memory(raw, output.baseAddress, capacity, used), raw, name, "open for writing")
        archive_entry_set_filetype(entry, carchive_ifreg())
        archive_entry_set_size(entry, Int64(bytes.count))
        archive_entry_set_pathname(entry, "data")
        try TarGzWriter.check(archive_write_header(raw, entry), raw, name, "begin the data")
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { archive_write_data(raw, $0.baseAddress! + offset, $0.count - offset) }
            // libarchive reports a full buffer as a failed write; the caller tries a larger one.
            guard written > 0 else { return nil }
            offset += written
        }
        guard archive_write_close(raw) >= ARCHIVE_WARN else { return nil }
        return Array(UnsafeRawBufferPointer(rebasing: output[0..<used.pointee]))
    }
}
