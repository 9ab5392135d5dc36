import Foundation

/// The exclusive `flock` on `spool/.lock` that every run and every command that changes the spool holds.
///
/// The kernel releases it when the process dies, so it never goes stale. The holder's process id and start time
/// are written into the file, so that a refused run can say who holds it.
public final class SpoolLock: Sendable {
    private let descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock without waiting; throws ``SpoolError/Code/locked`` (with the holder named) when it is held.
    public static func acquire(_ spool: Spool) throws -> SpoolLock {
        let path = spool.root + "/.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError.system("open the lock file", path) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let number = errno
            close(descriptor)
            throw SpoolError(code: number == EWOULDBLOCK ? .locked : .system, operation: "lock", path: path, errorNumber: number)
        }
        let holder = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = holder.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return SpoolLock(descriptor: descriptor, path: path)
    }

    /// Takes the lock, waiting up to `seconds` for a run that holds it to finish.
    public static func acquire(_ spool: Spool, waiting seconds: TimeInterval) throws -> SpoolLock {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do {
                return try acquire(spool)
            } catch let error as SpoolError where error.code == .locked && Date() < deadline {
                usleep(200_000)
            }
        }
    }

    /// Whether some process holds the lock now, as the kernel's `/proc/locks` lists it; `nil` when that cannot be told.
    /// Looks without taking the lock, so that `status` stays a reader.
    public static func isHeld(_ spool: Spool) -> Bool? {
        var status = stat()
        guard stat(spool.root + "/.lock", &status) == 0 else { return false }
        guard let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        // `1: FLOCK  ADVISORY  WRITE 4242 08:01:1835011 0 EOF`: the file as major:minor:inode, the first two in hex.
        // glibc's major() and minor() are macros, which Swift does not import.
        let device = UInt64(status.st_dev)
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
        let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
        let file = String(format: "%02llx:%02llx:%llu", major, minor, UInt64(status.st_ino))
        return locks.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 5 && fields[1] == "FLOCK" && fields[5] == file
        }
    }

    /// Who holds the lock, as its holder wrote it (`pid 1234 since …`).
    public static func holder(_ spool: Spool) -> String? {
        guard let text = try? String(contentsOfFile: spool.root + "/.lock", encoding: .utf8) else { return nil }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return line.isEmpty ? nil : line
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
