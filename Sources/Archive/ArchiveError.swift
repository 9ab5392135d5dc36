/// A failure reported by libarchive, in libarchive's own words, naming the archive file.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// The archive file being written or read.
    public let path: String
    /// What was being done: "open", "write header of manifest.json", …
    public let operation: String
    /// `archive_error_string`, or a description of the failing system call.
    public let message: String
    /// `archive_errno` (an `errno` value), when libarchive set one.
    public let errorNumber: Int32

    public var description: String {
        "archive \(path): cannot \(operation): \(message)"
    }
}
