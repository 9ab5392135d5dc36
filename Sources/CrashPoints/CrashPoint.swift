import Foundation
import Synchronization

/// Named moments at which a debug build can be told to die by `SIGKILL`, so that tests can prove a crash right
/// there loses and duplicates nothing.
///
/// `D365MM_DEBUG_CRASH_AT=NAME` kills the process the first time `NAME` is reached; `NAME@N` the N-th time. Release
/// builds compile every call to nothing and never read the variable.
public enum CrashPoint {
    #if DEBUG
    private static let visits = Mutex<[String: Int]>([:])
    private static let target: (name: String, visit: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["D365MM_DEBUG_CRASH_AT"], !text.isEmpty else { return nil }
        let parts = text.split(separator: "@", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
    }()
    #endif

    /// Marks that the program reached `name`; dies there when told to.
    @inline(__always)
    public static func reached(_ name: String) {
        #if DEBUG
        guard let target, target.name == name else { return }
        let visit = visits.withLock { counts -> Int in
            counts[name, default: 0] += 1
            return counts[name]!
        }
        if visit == target.visit { kill(getpid(), SIGKILL) }
        #endif
    }
}
