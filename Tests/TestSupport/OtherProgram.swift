import Foundation

/// Runs a program other than the package's binary (a script, systemd-analyze, systemd-creds, groff, python).
public enum OtherProgram {
    /// Runs it on a thread of its own, so that a long run does not hold one of the few threads tests share.
    public static func runOnItsOwnThread(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(arguments, environment: environment) as CommandResult })
            }
        }
    }

    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Both pipes drain at once, so that a program filling one while the other is read cannot stall.
        nonisolated(unsafe) var err = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            err = errors.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, killedBySignal: false, standardOutput: String(decoding: out, as: UTF8.self),
            standardError: String(decoding: err, as: UTF8.self))
    }
}
