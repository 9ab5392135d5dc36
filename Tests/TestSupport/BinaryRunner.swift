import Foundation

/// The result of running the built `d365mm` binary.
public struct CommandResult: Sendable {
    /// The exit status, or the number of the signal that ended the process.
    public let status: Int32
    public let killedBySignal: Bool
    public let standardOutput: String
    public let standardError: String

    public init(status: Int32, killedBySignal: Bool, standardOutput: String, standardError: String) {
        self.status = status
        self.killedBySignal = killedBySignal
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs the built `d365mm` binary: the same program an operator runs.
///
/// Waiting for the process happens on a thread of its own, never on the test's task: blocking the few threads of
/// Swift's cooperative pool would stall every other test running in parallel.
public enum D365MMBinary {
    /// The binary beside the test bundle in the build folder.
    public static var path: String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("d365mm").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/d365mm").path
    }

    /// A started `d365mm` process.
    public final class Running: @unchecked Sendable {
        // The process is only touched by `wait()`, once, on a thread of its own.
        private let process: Process
        private let output: Pipe
        private let errors: Pipe

        init(process: Process, output: Pipe, errors: Pipe) {
            self.process = process
            self.output = output
            self.errors = errors
        }

        /// Sends `signal` to the process, as systemd's stop (SIGTERM) or Ctrl-C (SIGINT) would.
        public func send(_ signal: Int32) {
            kill(process.processIdentifier, signal)
        }

        /// Waits for the process to end and returns what it printed.
        public func wait() async -> CommandResult {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { [self] in
                    // Both pipes are drained at once: a child that fills one while the other is being read would block.
                    nonisolated(unsafe) var errorData = Data()
                    let errorsRead = DispatchSemaphore(value: 0)
                    Thread.detachNewThread { [errors] in
                        errorData = errors.fileHandleForReading.readDataToEndOfFile()
                        errorsRead.signal()
                    }
                    let outputData = output.fileHandleForReading.readDataToEndOfFile()
                    errorsRead.wait()
                    process.waitUntilExit()
                    continuation.resume(
                        returning: CommandResult(
                            status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                            standardOutput: String(decoding: outputData, as: UTF8.self),
                            standardError: String(decoding: errorData, as: UTF8.self)))
                }
            }
        }
    }

    /// `setpriv`, when this process may use it to run the binary as the unprivileged user `nobody`: permissions are
    /// only tested as a user they apply to (root's bypass them).
    public static var unprivilegedRunner: String? {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") ? "/usr/bin/setpriv" : nil
    }

    /// Starts `d365mm arguments…` with exactly `environment` (plus PATH), as `nobody` when `unprivileged`; with
    /// `toJournal`, its standard error is announced in `JOURNAL_STREAM` as systemd announces the journal's.
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], unprivileged: Bool = false, toJournal: Bool = false
    ) throws -> Running {
        let process = Process()
        if unprivileged, let setpriv = unprivilegedRunner {
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        let output = Pipe()
        let errors = Pipe()
        var variables = environment.merging(["PATH": "/usr/bin:/bin"]) { current, _ in current }
        var stream = stat()
        if toJournal, fstat(errors.fileHandleForWriting.fileDescriptor, &stream) == 0 {
            variables["JOURNAL_STREAM"] = "\(stream.st_dev):\(stream.st_ino)"
        }
        process.environment = variables
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, output: output, errors: errors)
    }

    /// Runs `d365mm arguments…` with exactly `environment` (plus PATH) and waits for it.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], unprivileged: Bool = false, toJournal: Bool = false
    ) async throws -> CommandResult {
        await (try start(arguments, environment: environment, unprivileged: unprivileged, toJournal: toJournal)).wait()
    }
}
