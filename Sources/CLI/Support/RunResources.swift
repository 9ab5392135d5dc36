import ArgumentParser
import CMalloc
import ConnectorConfiguration
import D365
import Foundation
import HTTP
import Logging
import MachineMetrics
import Monitoring
import Operations
import ProcessExit
import Redaction
import Spool
import StateStore
import Stopping
import Sync

/// What a run holds for its duration: the spool and its lock, the state database and the remote clients.
struct RunResources {
    let spool: Spool
    let database: StateDatabase
    let odata: ODataClient
    let journals: JournalWriter
    let machineMetrics: MachineMetricsClient
    /// Asked for when the run is to stop (SIGTERM, SIGINT).
    let stop: StopRequest
}

/// Takes the spool lock, opens the state database, the run's log and the clients, runs `body` (stopping it on SIGTERM
/// or SIGINT, ``SignalStop``), logs the run's last line, archives finished work, and releases everything. When the spool
/// or the database cannot be had, it exits as ``SpoolAccess`` says.
func withRunResources(
    _ environment: CommandEnvironment, logger: Logger, runID: String, direction: Direction,
    _ body: @escaping (RunResources) async -> RunReport
) async throws -> RunReport {
    limitMallocArenas()
    let configuration = environment.configuration
    let spool = Spool(root: configuration[.spoolDirectory])
    let lock = try SpoolAccess.lock(spool)
    let database = try SpoolAccess.database(spool)
    let stop = StopRequest()
    let remote = try RemoteClients(environment, stop: stop, logger: logger)
    RunLog.open(path: spool.path(.log, "\(runID).log"))
    defer {
        RunLog.close()
        withExtendedLifetime(lock) {}
    }
    let resources = RunResources(
        spool: spool, database: database, odata: remote.odata, journals: remote.journals,
        machineMetrics: remote.machineMetrics, stop: stop)
    let report = await SignalStop.run(stop: stop, logger: logger) { await body(resources) }
    // The run's last line, in its own log too: a support bundle then holds how each run ended.
    logger.log(
        level: report.exitStatus == .success ? .info : .warning,
        "run \(direction.rawValue) finished: \(report.outcome.rawValue) (exit \(report.exitStatus.rawValue)); \(RunSummaryText.counts(report))")
    await remote.shutdown()
    recordTokenDigests(environment, database: database, logger: logger)
    updateMetrics(environment, report: report, requests: remote.counting.requests, spool: spool, database: database, logger: logger)
    if stop.signal == nil {
        archiveFinishedWork(spool: spool, database: database, configuration: configuration, logger: logger)
    }
    return report
}

/// Keeps digests of the access tokens this run was issued, for `bundle`'s redaction.
private func recordTokenDigests(_ environment: CommandEnvironment, database: StateDatabase, logger: Logger) {
    let configured = Set(environment.configuration.secrets)
    let digests = environment.redactor.maskedValues.filter { !configured.contains($0) }.map(BundleRedactor.digest(ofToken:))
    do {
        try database.recordTokenDigests(digests, at: Date())
    } catch {
        logger.warning("could not keep the digests of this run's access tokens; a support bundle may then miss masking one: \(error)")
    }
}

/// Adds the run's figures to the totals and, with `D365MM_METRICS_FILE`, rewrites the metrics file; a failure here is
/// reported, never fatal.
private func updateMetrics(
    _ environment: CommandEnvironment, report: RunReport, requests: [String: Int], spool: Spool, database: StateDatabase, logger: Logger
) {
    let configuration = environment.configuration
    do {
        try MetricsFile.recordRun(
            direction: report.direction, recordsSent: report.counts[.recordsAccepted] ?? 0,
            ticketsWritten: report.counts[.journalsWritten] ?? 0, requests: requests, in: database)
        guard let path = configuration[.metricsFile] else { return }
        try MetricsFile(path: path, connector: configuration[.instanceName] ?? "default").write(database: database, spool: spool)
    } catch {
        logger.warning("the metrics were not updated (D365MM_METRICS_FILE): \(error)")
    }
}

/// The clients of Entra ID, D365 and MachineMetrics, sharing one HTTP client and one waiting budget.
struct RemoteClients {
    let http: HTTP.HTTPClient
    /// Counts the requests of each service, for the metrics.
    let counting: CountingTransport
    let resilient: ResilientClient
    let tokens: EntraTokenProvider
    let odata: ODataClient
    let journals: JournalWriter
    let machineMetrics: MachineMetricsClient

    /// Exits 78 naming `D365MM_CA_FILE` when its certificates cannot be read.
    init(_ environment: CommandEnvironment, stop: StopRequest = StopRequest(), logger: Logger) throws {
        let configuration = environment.configuration
        do {
            http = try HTTP.HTTPClient(options: Self.networkOptions(configuration))
        } catch {
            printError("d365mm: D365MM_CA_FILE (\(configuration[.caFile] ?? "")) holds no certificate that can be read: \(error)")
            throw ExitStatus.configuration.exitCode
        }
        counting = CountingTransport(
            http,
            services: [
                // F&O serves OData under /data; the simulator serves Entra ID on the same host.
                "d365": [configuration[.environmentHost] + "/data/"], "entra": [configuration[.authorityHost]],
                "machinemetrics": [configuration[.mappingServiceURL], configuration[.mappingAuthServiceURL]],
            ])
        resilient = ResilientClient(transport: counting, budget: WaitBudget(seconds: configuration[.retryBudget]), stop: stop)
        let context = ServiceContext(client: resilient, redactor: environment.redactor, logger: logger)
        tokens = EntraTokenProvider(
            settings: .init(
                authorityHost: configuration[.authorityHost], tenantID: configuration[.tenantID], clientID: configuration[.clientID],
                credential: Self.credential(configuration.clientCredential), environmentURL: configuration[.environmentHost]),
            context: context)
        odata = ODataClient(
            environmentURL: configuration[.environmentHost], tokens: tokens, client: resilient,
            concurrency: configuration[.concurrency], logger: logger)
        journals = JournalWriter(environmentURL: configuration[.environmentHost], tokens: tokens, client: resilient, logger: logger)
        machineMetrics = MachineMetricsClient(
            settings: .init(
                serviceURL: configuration[.mappingServiceURL], authServiceURL: configuration[.mappingAuthServiceURL],
                serviceToken: configuration[.mappingServiceToken].revealed, retryAttempts: configuration[.retryAttempts],
                timeout: .seconds(Int64(configuration[.timeoutSeconds]))),
            context: context)
    }

    func shutdown() async { await http.shutdown() }

    static func credential(_ credential: ClientCredential) -> EntraTokenProvider.Credential {
        switch credential {
        case .secret(let secret): return .secret(secret.revealed)
        case .certificate(let certificate): return .certificate(certificate)
        }
    }

    /// The proxies and extra trust of the configuration, as the HTTP client takes them.
    static func networkOptions(_ configuration: Configuration) -> NetworkOptions {
        let proxies = configuration.proxies
        return NetworkOptions(
            proxy: { scheme, host in
                guard let server = proxies.proxy(scheme: scheme, host: host) else { return nil }
                return HTTPProxy(
                    host: server.host, port: server.port, username: server.username, password: server.password?.revealed,
                    variable: scheme == "https" ? "HTTPS_PROXY" : "HTTP_PROXY")
            }, additionalCAFile: configuration[.caFile])
    }
}

/// Packs what earlier runs finished into `archive/` and applies retention; a failure here is reported, never fatal:
/// nothing is removed unless its archive was read back whole.
private func archiveFinishedWork(spool: Spool, database: StateDatabase, configuration: Configuration, logger: Logger) {
    let archiver = RunArchiver(spool: spool, database: database, toolVersion: D365MMVersion.current)
    let policy = RunArchiver.Policy(
        archiveAfter: configuration[.archiveAfter], keep: configuration[.archiveKeep], maxBytes: configuration.archiveMaxBytes)
    do {
        let written = try archiver.archiveFinishedWork(policy: policy)
        if !written.isEmpty { logger.info("archived the finished files of \(written.count) run(s) into archive/") }
        let removed = try archiver.applyRetention(policy: policy)
        if !removed.isEmpty { logger.info("removed \(removed.count) archive(s) past D365MM_ARCHIVE_KEEP or D365MM_ARCHIVE_MAX_MB") }
    } catch {
        logger.error("archiving finished files failed; they stay where they are: \(error)")
    }
}

/// One malloc arena for a run. Its threads mostly wait on the network, and glibc's default (eight arenas per core)
/// let peak memory grow with the data set: a pull of 100,000 simulated orders peaked at 98 MB, and at 70 MB with one.
private func limitMallocArenas() {
    #if os(Linux)
        cmalloc_limit_arenas(1)
    #endif
}
