import ArgumentParser
import ConnectorConfiguration
import Credentials
import Foundation
import JSON
import Operations
import ProcessExit
import Spool
import StateStore

extension D365MMCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the spool per direction and state, the last runs, and what needs attention.",
            discussion: """
                Per spool folder and direction: how many items wait and how old the oldest is; the last runs with their \
                outcome, duration and counts; labor tickets that cannot be written; records MachineMetrics rejects; \
                journals unposted for over a day or that could not be posted; the next timer runs when systemd is present. \
                Reads only, takes no lock, and works even when the rest of the configuration is wrong: only \
                D365MM_SPOOL_DIR is needed; on a spool this user may only read, and with a damaged state database \
                (it says so, and what to do).
                """
        )

        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        func run() async throws {
            let spool = try SpoolLocation.resolve(configFile: options.config)
            let (database, problem) = StateReading.open(spool)
            var report = try StatusReport.gather(spool: spool, database: database, timers: SystemdTimers.list())
            report.databaseProblem = problem
            report.credentialNotice = CredentialExpiry.notice(configFile: options.config)
            print(json ? JSONEncoding.string(report.json, style: .pretty) : report.text, terminator: json ? "\n" : "")
        }
    }
}

/// Where the spool is, from `D365MM_SPOOL_DIR` (environment, then the configuration file), without requiring the
/// rest of the configuration to be valid: the commands that look at the spool must work while it is being fixed.
enum SpoolLocation {
    static func resolve(configFile: String?) throws -> Spool {
        let source = CommandEnvironment.source(configFile: configFile)
        let root = source.value(of: Setting.spoolDirectory)?.value ?? "./spool"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            printError("d365mm: D365MM_SPOOL_DIR (\(root)) is not a directory; no run has used it yet, or the variable points elsewhere.")
            throw ExitStatus.configuration.exitCode
        }
        return Spool(root: root)
    }
}

/// d365mm's timers as `systemctl list-timers` shows them; `nil` when systemd is not running here.
enum SystemdTimers {
    static func list() -> [String]? {
        guard FileManager.default.fileExists(atPath: "/run/systemd/system"),
            let systemctl = ["/usr/bin/systemctl", "/bin/systemctl"].first(where: FileManager.default.isExecutableFile(atPath:))
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemctl)
        process.arguments = ["list-timers", "--all", "--no-pager", "--no-legend", "d365mm-*"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The state database as `status` and `bundle` read it: read-only, and when it cannot be read, why, for them to say.
enum StateReading {
    static func open(_ spool: Spool) -> (database: StateDatabase?, problem: String?) {
        guard FileManager.default.fileExists(atPath: spool.databasePath) else { return (nil, nil) }
        do {
            return (try StateDatabase(readingAt: spool.databasePath), nil)
        } catch {
            return (nil, "\(error)")
        }
    }
}

/// Whether the certificate the configuration signs in with expires soon, read from its file alone: `status` needs no
/// valid configuration, and an unreadable file is `doctor`'s to report.
enum CredentialExpiry {
    static func notice(configFile: String?) -> String? {
        let source = CommandEnvironment.source(configFile: configFile)
        guard let file = source.value(of: .clientCertificateFile)?.value else { return nil }
        return (try? CertificateSummary(certificateFile: file))?.expiryNotice()
    }
}
