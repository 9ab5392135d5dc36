import ConnectorConfiguration
import Foundation
import Logging
import ProcessExit
import Redaction

/// What every command that works on the connector's configuration needs: the configuration, a logger and the
/// redactor that keeps secrets out of both. The only place the commands read the process environment from
/// (CrashPoints reads its own debug hooks).
struct CommandEnvironment {
    let configuration: Configuration
    let source: ConfigurationSource
    let redactor: Redactor
    let logger: Logger

    /// Loads and validates the configuration; prints every problem and exits 78 when it is wrong.
    static func load(configFile: String?, label: String) throws -> CommandEnvironment {
        let source = source(configFile: configFile)
        for warning in source.warnings { printError("d365mm: warning: \(warning)") }
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(source)
        } catch {
            printError("d365mm: \(error.description)")
            throw ExitStatus.configuration.exitCode
        }
        let redactor = Redactor(secrets: configuration.secrets)
        let level: Logger.Level =
            switch configuration[.logLevel] {
            case .error: .error
            case .warn: .warning
            case .info: .info
            case .debug: .debug
            }
        let toJournal = JournalLogHandler.standardErrorIsJournal(variables)
        LoggingBootstrap.once {
            LoggingSystem.bootstrap { _ in JournalLogHandler(logLevel: level, redactor: redactor, toJournal: toJournal) }
        }
        return CommandEnvironment(configuration: configuration, source: source, redactor: redactor, logger: Logger(label: label))
    }
}

extension CommandEnvironment {
    /// The process environment.
    static var variables: [String: String] { ProcessInfo.processInfo.environment }

    /// The configuration's values and where each came from, not validated: for the commands that need a few of them
    /// and must work when the rest is wrong (status, bundle, systemd-units).
    static func source(configFile: String?) -> ConfigurationSource {
        ConfigurationSource(environment: variables, filePath: configFile)
    }
}

/// `LoggingSystem.bootstrap` may run once per process.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func once(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        body()
    }
}
