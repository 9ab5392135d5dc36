import ArgumentParser
import ConnectorConfiguration
import D365
import Foundation
import HTTP
import Logging
import MachineMetrics
import Spool
import StateStore
import Sync

/// What a run holds for its duration: the spool and its lock, the state database and the remote clients.
struct RunResources {
    let spool: Spool
    let database: StateDatabase
    let odata: ODataClient
    let journals: JournalWriter
    let machineMetrics: MachineMetricsClient
}

/// Takes the spool lock, opens the state database and the clients, runs `body`, and releases everything.
/// A held lock exits 73; an unusable spool folder exits 78.
func withRunResources<T>(_ environment: CommandEnvironment, logger: Logger, direction: Direction,
                         _ body: (RunResources) async throws -> T) async throws -> T {
    let configuration = environment.configuration
    let spool = Spool(root: configuration.spoolDirectory)
    do {
        try spool.create()
    } catch {
        printError("d365mm: D365MM_SPOOL_DIR (\(configuration.spoolDirectory)) cannot be used: \(error)")
        throw ExitStatus.configuration.exitCode
    }
    let lock: SpoolLock
    do {
        lock = try SpoolLock.acquire(spool)
    } catch let error as SpoolError where error.code == .locked {
        let holder = SpoolLock.holder(spool).map { " (\($0))" } ?? ""
        printError("d365mm: another d365mm run holds the spool lock on \(spool.root)\(holder); nothing was done.")
        throw ExitStatus.locked.exitCode
    }
    let database: StateDatabase
    do {
        database = try StateDatabase(path: spool.databasePath)
    } catch {
        printError("d365mm: the state database \(spool.databasePath) cannot be opened: \(error)")
        throw ExitStatus.internalError.exitCode
    }
    let http = HTTP.HTTPClient()
    let resilient = ResilientClient(transport: http, budget: WaitBudget(seconds: configuration.retryBudget))
    let tokens = EntraTokenProvider(
        settings: .init(authorityHost: configuration.authorityHost, tenantID: configuration.tenantID, clientID: configuration.clientID,
                        clientSecret: configuration.clientSecret.revealed, environmentURL: configuration.environmentURL),
        client: resilient, redactor: environment.redactor, logger: logger)
    let odata = ODataClient(environmentURL: configuration.environmentURL, tokens: tokens, client: resilient,
                            concurrency: configuration.d365Concurrency, logger: logger)
    let machineMetrics = MachineMetricsClient(
        settings: .init(serviceURL: configuration.mappingServiceURL, authServiceURL: configuration.mappingAuthServiceURL,
                        serviceToken: configuration.mappingServiceToken.revealed, retryAttempts: configuration.machineMetricsRetryAttempts,
                        timeout: .seconds(Int64(configuration.machineMetricsTimeout))),
        client: resilient, redactor: environment.redactor, logger: logger)
    defer { withExtendedLifetime(lock) {} }
    do {
        let journals = JournalWriter(environmentURL: configuration.environmentURL, tokens: tokens, client: resilient, logger: logger)
        let result = try await body(RunResources(spool: spool, database: database, odata: odata, journals: journals, machineMetrics: machineMetrics))
        await http.shutdown()
        return result
    } catch {
        await http.shutdown()
        throw error
    }
}

/// Progress on a terminal: one line on standard error, rewritten in place; nothing when not on a terminal.
enum TerminalProgress {
    static func make() -> Sync.Progress {
        guard isatty(STDERR_FILENO) == 1 else { return .silent }
        return Sync.Progress { text in
            if let text {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            } else {
                FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            }
        }
    }
}
