import ArgumentParser
import Dispatch
import Foundation
import ProcessExit
import Simulator

extension D365MMCommand {
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a simulated Entra ID, D365 F&O and MachineMetrics on loopback.",
            discussion: """
                Prints the configuration that points d365mm at the simulator (KEY=value lines; the secrets are fake), \
                then serves until SIGINT or SIGTERM. Inspect and steer it under /_sim/: GET /_sim/summary, \
                GET /_sim/mm/work-orders, GET /_sim/d365/journals, POST /_sim/d365/update, POST /_sim/faults.

                A fault is comma-separated key=value pairs: service (entra, d365, mm, any), method, path (a substring), \
                one action (status=N [retry-after=S], slow=SECONDS, hang-up, lose-answer, not-json, truncate, \
                expire-tokens, loop-next-link), after=N (let N matching requests pass first) and times=N or times=always.
                """
        )

        @Option(help: "The loopback address to listen on.")
        var host = "127.0.0.1"
        @Option(help: "The port to listen on; 0 picks a free one.")
        var port = 0
        @Option(help: "The seed of the generated data set.")
        var seed: UInt64 = DataSetOptions().seed
        @Option(help: "Production orders to generate, across every legal entity and site.")
        var orders = DataSetOptions().orders
        @Option(name: .customLong("labor-tickets"), help: "Pending labor tickets in MachineMetrics (default: a quarter of the orders).")
        var laborTickets: Int?
        @Option(name: .customLong("reference-date"), help: "The day the data set is built around, YYYY-MM-DD (default: today, UTC).")
        var referenceDate: String?
        @Option(name: .customLong("legal-entity"), help: "The legal entity (dataAreaId) most orders belong to.")
        var legalEntity = DataSetOptions().legalEntity
        @Option(help: "The site most orders belong to.")
        var site = DataSetOptions().siteID
        @Option(name: .customLong("page-size"), help: "Rows per OData page before @odata.nextLink.")
        var pageSize = 10_000
        @Option(name: .customLong("token-lifetime"), help: "Seconds an Entra ID access token lives.")
        var tokenLifetime = 3599
        @Option(name: .customLong("mm-token-lifetime"), help: "Seconds a MachineMetrics access token lives.")
        var machineMetricsTokenLifetime = 900
        @Option(name: .customLong("missing-privilege"), help: "A Data Services privilege the service account lacks (repeatable).")
        var missingPrivileges: [String] = []
        @Option(name: .customLong("posting-action"), help: "The journal posting action's name, or 'none' for standard F&O without one.")
        var postingAction = "PostJournal"
        @Flag(name: .customLong("secret-expired"), help: "The client secret has expired (AADSTS7000222).")
        var secretExpired = false
        @Flag(name: .customLong("app-not-registered"), help: "The app is missing from F&O's Microsoft Entra ID applications (F&O answers 401).")
        var appNotRegistered = false
        @Option(name: .customLong("fault"), help: ArgumentHelp("A scripted fault (repeatable); see above.", valueName: "spec"))
        var faults: [String] = []
        @Option(help: ArgumentHelp("A JSON scenario file: {\"faults\": [...], \"missingPrivileges\": [...], \"pageSize\": N}.", valueName: "file"))
        var scenario: String?
        @Option(
            name: .customLong("env-file"),
            help: ArgumentHelp("Also write the configuration lines to this file (and, with --tls, the CA to FILE.ca.pem).", valueName: "file"))
        var envFile: String?
        @Flag(help: "Serve https, with a certificate from a CA made up for this run: D365MM_CA_FILE names it in the configuration lines.")
        var tls = false
        @Flag(help: "Put a CONNECT proxy in front (implies --tls); only it resolves the services' name, so a connector must go through it.")
        var proxy = false
        @Option(name: .customLong("proxy-user"), help: "The user the proxy wants (Basic login); with --proxy-password.")
        var proxyUser: String?
        @Option(name: .customLong("proxy-password"), help: "The proxy's password.")
        var proxyPassword: String?
        @Option(
            name: .customLong("client-certificate"),
            help: ArgumentHelp(
                "A PEM certificate registered with the app (repeatable): client assertions signed with its key are accepted.", valueName: "file"))
        var clientCertificates: [String] = []

        func run() async throws {
            let options: SimulatorOptions
            do {
                options = try simulatorOptions()
            } catch let error as SimulatorError {
                printError("d365mm simulate: \(error.description)")
                throw ExitStatus.usage.exitCode
            }
            let simulator = try await Simulator.start(options)
            var environment = simulator.connectorEnvironment
            if let pem = simulator.certificateAuthorityPEM {
                let caFile = (envFile ?? "d365mm-simulator") + ".ca.pem"
                guard FileManager.default.createFile(atPath: caFile, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o644]) else {
                    printError("d365mm simulate: cannot write the CA certificate to \(caFile)")
                    throw ExitStatus.usage.exitCode
                }
                environment.append(("D365MM_CA_FILE", caFile))
            }
            if let proxyURL = simulator.proxyURL { environment.append(("HTTPS_PROXY", proxyURL)) }
            let lines = environment.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
            if let envFile, !FileManager.default.createFile(atPath: envFile, contents: Data(lines.utf8), attributes: [.posixPermissions: 0o600]) {
                printError("d365mm simulate: cannot write --env-file \(envFile): check that its folder exists and is writable")
                throw ExitStatus.usage.exitCode
            }
            FileHandle.standardOutput.write(Data(lines.utf8))
            let tables = ["ProductionOrderHeaders", "ProductionOrderRouteOperations", "Workers"].map { "\(simulator.table($0).count) \($0)" }
            printError(
                "d365mm simulate: serving on \(simulator.baseURL) (\(tables.joined(separator: ", ")), \(simulator.laborTickets().count) labor tickets); stop with Ctrl-C"
            )
            await Self.waitForTerminationSignal()
            await simulator.shutdown()
            printError("d365mm simulate: stopped")
        }

        private func simulatorOptions() throws -> SimulatorOptions {
            var options = SimulatorOptions()
            options.host = host
            options.port = port
            options.dataSet.seed = seed
            options.dataSet.orders = orders
            options.dataSet.laborTickets = laborTickets
            options.dataSet.legalEntity = legalEntity.lowercased()
            options.dataSet.siteID = site
            if let referenceDate {
                guard let date = ISO8601DateFormatter().date(from: referenceDate + "T00:00:00Z") else {
                    throw SimulatorError("--reference-date must be YYYY-MM-DD, not '\(referenceDate)'")
                }
                options.dataSet.referenceDate = date
            }
            guard pageSize > 0 else { throw SimulatorError("--page-size must be at least 1") }
            options.pageSize = pageSize
            options.d365TokenLifetimeSeconds = tokenLifetime
            options.machineMetricsTokenLifetimeSeconds = machineMetricsTokenLifetime
            options.missingPrivileges = Set(missingPrivileges)
            options.postingAction = postingAction.lowercased() == "none" ? nil : postingAction
            options.clientSecretExpired = secretExpired
            options.appRegisteredInD365 = !appNotRegistered
            options.faults = try faults.map { try FaultRule(parsing: $0) }
            options.tls = tls
            options.clientCertificatePEMs = try clientCertificates.map { file in
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw SimulatorError("--client-certificate \(file) cannot be read")
                }
                return String(decoding: data, as: UTF8.self)
            }
            if proxy {
                guard (proxyUser == nil) == (proxyPassword == nil) else { throw SimulatorError("--proxy-user and --proxy-password go together") }
                options.proxy = ProxyOptions(user: proxyUser, password: proxyPassword)
            } else if proxyUser != nil || proxyPassword != nil {
                throw SimulatorError("--proxy-user and --proxy-password need --proxy")
            }
            if let scenario { try Scenario.load(path: scenario).apply(to: &options) }
            return options
        }

        /// Returns when SIGINT or SIGTERM arrives.
        static func waitForTerminationSignal() async {
            let (stream, continuation) = AsyncStream<Void>.makeStream()
            let sources = [SIGINT, SIGTERM].map { signalNumber in
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { continuation.yield() }
                source.resume()
                return source
            }
            for await _ in stream { break }
            for source in sources { source.cancel() }
        }
    }
}
