import Foundation

/// A failure of the spool's file operations, naming the file and the system's reason.
public struct SpoolError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The file is not there (moved or deleted by someone else).
        case vanished
        /// The disk or the quota is full.
        case noSpace
        /// Another process holds the lock.
        case locked
        /// A symbolic link, a folder or a device where a regular file belongs: not followed, not read.
        case notAFile
        /// This user may not do it, or the file system is read-only (exit 77).
        case denied
        /// Anything else the system refused.
        case system
    }

    public let code: Code
    public let operation: String
    public let path: String
    public let errorNumber: Int32

    public var description: String {
        var text =
            code == .notAFile
            ? "cannot \(operation) \(path): it is not a regular file (a symbolic link is not followed out of the spool)"
            : "cannot \(operation) \(path): \(String(cString: strerror(errorNumber)))"
        if code == .noSpace { text += " (free space on the spool's file system, then run again; nothing was lost)" }
        if code == .denied {
            text +=
                " (the spool and all in it must belong to the user d365mm runs as, on a file system mounted read-write; scripts/install sets it up so)"
        }
        return text
    }

    static func system(_ operation: String, _ path: String, _ number: Int32 = errno) -> SpoolError {
        let code: Code
        switch number {
        case ENOENT: code = .vanished
        case ENOSPC, EDQUOT: code = .noSpace
        case EWOULDBLOCK: code = .locked
        case EACCES, EPERM, EROFS: code = .denied
        default: code = .system
        }
        return SpoolError(code: code, operation: operation, path: path, errorNumber: number)
    }
}
