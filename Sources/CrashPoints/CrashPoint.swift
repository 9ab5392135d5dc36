import Foundation
import Synchronization

/// Named moments at which a debug build can be told to die by `SIGKILL`, or to wait, so that tests can prove a
/// crash right there loses and duplicates nothing, or do what an operator would do at that very moment.
///
/// `D365MM_DEBUG_CRASH_AT=NAME` kills the process the first time `NAME` is reached; `NAME@N` the N-th time.
/// `D365MM_DEBUG_PAUSE_AT=NAME[@N]` with `D365MM_DEBUG_PAUSE_FILE=PATH` instead writes `PATH.paused` there and waits
/// until `PATH` exists. Release builds compile every call to nothing and never read the variables.
public enum CrashPoint {
    #if DEBUG
        private static let visits = Mutex<[String: Int]>([:])

        private static func target(_ variable: String) -> (name: String, visit: Int)? {
            guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
            let parts = text.split(separator: "@", maxSplits: 1)
            return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
        }

        private static let crash = target("D365MM_DEBUG_CRASH_AT")
        private static let pause = target("D365MM_DEBUG_PAUSE_AT")
    #endif

    /// Marks that the program reached `name`; dies or waits there when told to.
    @inline(__always)
    public static func reached(_ name: String) {
        #if DEBUG
            guard crash?.name == name || pause?.name == name else { return }
            let visit = visits.withLock { counts -> Int in
                counts[name, default: 0] += 1
                return counts[name]!
            }
            if crash?.name == name, visit == crash?.visit { kill(getpid(), SIGKILL) }
            if pause?.name == name, visit == pause?.visit, let file = ProcessInfo.processInfo.environment["D365MM_DEBUG_PAUSE_FILE"] {
                _ = FileManager.default.createFile(atPath: file + ".paused", contents: nil)
                for _ in 0..<2400 where !FileManager.default.fileExists(atPath: file) { usleep(50_000) }
            }
        #endif
    }
}
