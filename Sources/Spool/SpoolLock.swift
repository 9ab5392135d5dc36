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
