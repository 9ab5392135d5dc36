import ConnectorConfiguration
import Credentials
import D365
import Failures
import Foundation
import HTTP
import JSON
import Logging
import MachineMetrics
import Vocabulary

/// `d365mm doctor`: the live checks, in the order a new installation meets its problems.
public struct Doctor {
    /// The seed's troubleshooting advice, word for word where it has a row.
    enum Advice {
        static let authentication = "Verify Tenant ID, Client ID, and Client Secret. Regenerate the client secret in Azure if expired."
        static let privileges = "Confirm all required Data Services privileges are assigned to the service account. See Option B in Step 2."
        static let noOrders =
            "Verify D365 Default Site Id and D365 Default Data Area Id match actual D365 values. Set Log Level to debug for OData query details."
        static let writeBack =
            "Confirm Write LTs to D365 is true and the service account has the Maintain privilege on RouteCardProductionJournalEntries."
    }

    let configuration: Configuration
    let tokens: EntraTokenProvider
    let odata: ODataClient
    let journals: JournalWriter
    let machineMetrics: MachineMetricsClient
    let http: ResilientClient
    let logger: Logger

    public init(
        configuration: Configuration, tokens: EntraTokenProvider, odata: ODataClient, journals: JournalWriter,
        machineMetrics: MachineMetricsClient, http: ResilientClient, logger: Logger
    ) {
        self.logger = logger
        self.configuration = configuration
        self.tokens = tokens
        self.odata = odata
        self.journals = journals
        self.machineMetrics = machineMetrics
        self.http = http
    }

    /// Runs every check; `report` is called with each as it completes.
    public func run(_ report: (DoctorCheck) -> Void) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        func add(_ check: DoctorCheck) {
            checks.append(check)
            report(check)
        }
        if case .certificate(let certificate) = configuration.clientCredential { add(Self.certificateCheck(CertificateSummary(certificate))) }
        let host = URL(string: configuration[.environmentHost])?.host ?? configuration[.environmentHost]
        if let proxy = configuration.proxies.proxy(scheme: "https", host: host) {
            // Behind a proxy the proxy resolves names: this device may well not.
            let check = await proxyCheck(proxy, host: host)
            add(check)
            guard check.passed else { return checks }
        } else {
            let resolved = Self.resolve(host)
            add(
                resolved.isEmpty
                    ? .fail(
                        "DNS", "\(host) does not resolve",
                        fix:
                            "Check D365 Environment Host (D365_ENVIRONMENT_HOST): the host name without protocol, e.g. contoso.operations.dynamics.com; and that this device can resolve names (its DNS server), or set HTTPS_PROXY when a proxy is the way out.",
                        severity: .configuration)
                    : .pass("DNS", "\(host) resolves to \(resolved.prefix(3).joined(separator: ", "))"))
            guard !resolved.isEmpty else { return checks }
        }
        for url in Self.distinctHosts([
            configuration[.environmentHost], configuration[.authorityHost], configuration[.mappingAuthServiceURL],
            configuration[.mappingServiceURL],
        ]) {
            add(await trustCheck(url))
        }
        do {
            _ = try await tokens.token()
            add(.pass("token", "Entra ID issued an access token for \(configuration[.environmentHost])"))
        } catch {
            add(.fail("token", "\(error)", fix: Advice.authentication, severity: Self.severity(of: error)))
            return checks
        }
        var entities = EntitySet.pulled
        let journalEntity = configuration[.journalKind].entitySet
        if configuration[.writeLaborToD365] || configuration[.importLaborToMM] { entities.append(journalEntity) }
        if configuration[.writeLaborToD365] && configuration[.journalKind] == .job { entities.append(.routeJobs) }
        for entity in entities { add(await readCheck(entity)) }
        add(await ordersCheck())
        if configuration[.writeLaborToD365] {
            add(await writeCheck(journalEntity))
            if configuration[.postingMode] == .action { add(await postingActionCheck(journalEntity)) }
        }
        add(await machineMetricsCheck())
        if let metricsFile = configuration[.metricsFile] { add(Self.metricsCheck(metricsFile)) }
        return checks
    }

    /// The metrics file's folder: there, or the runs only warn that they cannot write it.
    static func metricsCheck(_ path: String) -> DoctorCheck {
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            return .warn(
                "metrics", "\(folder), where D365MM_METRICS_FILE (\(path)) goes, does not exist",
                fix:
                    "Create it (node_exporter's --collector.textfile.directory), writable by the user d365mm runs as: install -d \(folder) && setfacl -m u:d365mm:rwx \(folder)"
            )
        }
        return .pass("metrics", "runs rewrite \(path) (its folder must be writable by the user d365mm runs as)")
    }

    /// The certificate the connector signs in with: which it is, and whether it is about to expire.
    static func certificateCheck(_ certificate: CertificateSummary, now: Date = Date()) -> DoctorCheck {
        guard let notice = certificate.expiryNotice(now: now) else { return .pass("certificate", certificate.description) }
        let fix =
            "Upload a new certificate to the app registration (Certificates & secrets > Certificates) and point D365_CLIENT_CERTIFICATE_FILE at it."
        return certificate.notValidAfter <= now
            ? .fail("certificate", notice, fix: fix, severity: .permission) : .warn("certificate", notice, fix: fix)
    }

    /// The proxy that D365's requests go through: reached, and accepting the login.
    private func proxyCheck(_ proxy: ProxyServer, host: String) async -> DoctorCheck {
        let name = "proxy \(proxy.host):\(proxy.port)"
        do {
            _ = try await http.send(
                HTTPRequest(url: configuration[.environmentHost] + "/data/"), timeout: .seconds(20),
                policy: RetryPolicy(maximumRetries: 0, mayRepeat: true), logger: logger)
            let login = proxy.username.map { ", accepted the login of \($0)" } ?? ""
            return .pass(name, "reached\(login) and opened a tunnel to \(host)")
        } catch let error as HTTPTransportError where error.kind == .proxyLoginRefused {
            return .fail(
                name, "\(error)", fix: "Check the user and password in HTTPS_PROXY (percent-encoded: @ as %40, : as %3A) with the network team.",
                severity: .permission)
        } catch let error as HTTPTransportError where error.kind == .proxyRefusedTunnel {
            return .fail(name, "\(error)", fix: "Ask the network team to let the proxy reach \(host) on port 443.", severity: .temporary)
        } catch let error as HTTPTransportError where error.kind == .untrustedCertificate {
            return .pass(name, "reached, and a tunnel to \(host) was opened (its certificate is checked below)")
        } catch {
            return .fail(
                name, "\(error)", fix: "Check HTTPS_PROXY's host and port, and that this device may reach the proxy (firewall).", severity: .temporary
            )
        }
    }

    /// One of the services' hosts over TLS: its certificate is trusted, and by which CA, which shows a TLS-inspecting
    /// proxy when there is one.
    private func trustCheck(_ url: String) async -> DoctorCheck {
        guard let components = URLComponents(string: url), let host = components.host else {
            return .fail("reach \(url)", "not a URL", fix: "Check the configuration's URLs.", severity: .configuration)
        }
        guard components.scheme == "https" else {
            return .pass("reach \(host)", "plain HTTP, which is only accepted for a loopback simulator")
        }
        let name = "TLS \(host)"
        do {
            _ = try await http.send(
                HTTPRequest(url: url), timeout: .seconds(20), policy: RetryPolicy(maximumRetries: 0, mayRepeat: true), logger: logger)
            let proxy = configuration.proxies.proxy(scheme: "https", host: host).map {
                HTTPProxy(host: $0.host, port: $0.port, username: $0.username, password: $0.password?.revealed, variable: "HTTPS_PROXY")
            }
            let presented = await CertificateProbe.presented(host: host, port: components.port ?? 443, through: proxy)
            return .pass(name, "its certificate is trusted" + (presented.map { " (issued by \($0.issuer))" } ?? ""))
        } catch let error as HTTPTransportError where error.kind == .untrustedCertificate {
            return .fail(
                name, "\(error)", fix: "Set D365MM_CA_FILE to a PEM file of the CA that signs it (a TLS-inspecting proxy's, or a private CA's).",
                severity: .permission)
        } catch {
            return .fail(
                name, "\(error)", fix: "Check that this device can reach \(host) (firewall, proxy), and the configuration's URLs.",
                severity: Self.severity(of: error))
        }
    }

    /// Each host of `urls` once, as `scheme://host[:port]`.
    static func distinctHosts(_ urls: [String]) -> [String] {
        var seen = Set<String>()
        return urls.compactMap { url in
            guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
            let base = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
            return seen.insert(base).inserted ? base : nil
        }
    }

    private func readCheck(_ entity: EntitySet) async -> DoctorCheck {
        let filter = entity == .workers ? nil : ODataFilter.equals("dataAreaId", configuration[.defaultDataAreaID])
        let query = ODataQuery(entitySet: entity, filter: filter, top: 1)
        do {
            _ = try await odata.fetch(query.url(environmentURL: configuration[.environmentHost]), entitySet: entity)
            return .pass("read \(entity)", "allowed (\(entity.viewPrivilege))")
        } catch {
            return .fail("read \(entity)", "\(error)", fix: Advice.privileges, severity: Self.severity(of: error))
        }
    }

    private func ordersCheck() async -> DoctorCheck {
        let name = "orders of \(configuration[.defaultDataAreaID]) site \(configuration[.defaultSiteID])"
        let statuses = EntitySet.openOrderStatuses.map { ODataFilter.equals("ProductionOrderStatus", enumType: "ProdStatus", member: $0) }
        let query = ODataQuery(
            entitySet: .productionOrders,
            filter: ODataFilter.allOf([
                ODataFilter.equals("dataAreaId", configuration[.defaultDataAreaID]),
                ODataFilter.equals("ProductionSiteId", configuration[.defaultSiteID]),
                ODataFilter.anyOf(statuses),
            ]), select: ["ProductionOrderNumber"], top: 1)
        do {
            let page = try await odata.fetch(query.url(environmentURL: configuration[.environmentHost]), entitySet: .productionOrders)
            return page.rows.isEmpty
                ? .fail(
                    name,
                    "D365 has no released, started or reported-finished production orders for legal entity \(configuration[.defaultDataAreaID]) and site \(configuration[.defaultSiteID]): work orders will not appear in MachineMetrics",
                    fix: Advice.noOrders, severity: .configuration)
                : .pass(name, "open production orders exist (e.g. \(page.rows[0]["ProductionOrderNumber"]?.stringValue ?? "?"))")
        } catch {
            return .fail(name, "\(error)", fix: Advice.noOrders, severity: Self.severity(of: error))
        }
    }

    /// Write access, proven without writing: a line for an order that cannot exist, which F&O refuses on validation
    /// (inside its own changeset, so nothing stays) only after it has checked the privilege.
    private func writeCheck(_ entity: EntitySet) async -> DoctorCheck {
        let name = "write \(entity)"
        let probe = JSONObject([
            ("dataAreaId", .string(configuration[.defaultDataAreaID])), ("ProductionOrderNumber", "D365MM-DOCTOR-PROBE"),
            ("RouteOperationNumber", 10), ("RegisteredHours", 0), ("JournalDescription", "d365mm doctor write check"),
        ])
        do {
            let outcomes = try await journals.write([JournalWriter.Journal(entitySet: entity, lines: [probe])])
            switch outcomes.first {
            case .refused?:
                return .pass(name, "allowed (\(entity.maintainPrivilege)); D365 refused the probe line on validation, so nothing was written")
            case .created(let journal, _)?:
                return .pass(name, "allowed; D365 accepted the probe line into journal \(journal): delete that journal in D365")
            default:
                return .fail(name, "D365 answered the probe unclearly: \(outcomes)", fix: Advice.writeBack, severity: .temporary)
            }
        } catch {
            return .fail(name, "\(error)", fix: Advice.writeBack, severity: Self.severity(of: error))
        }
    }

    private func postingActionCheck(_ entity: EntitySet) async -> DoctorCheck {
        let name = "posting action \(configuration[.postingAction])"
        do {
            let metadata = try await odata.metadataDocument()
            return metadata.contains("Name=\"\(configuration[.postingAction])\"")
                ? .pass(name, "D365's $metadata declares the action")
                : .fail(
                    name,
                    "D365's $metadata has no action named \(configuration[.postingAction]); D365_JOURNAL_POSTING_MODE=action cannot post \(entity)",
                    fix:
                        "Standard F&O ships no posting action: deploy the one your D365 partner provides and set D365_POSTING_ACTION to its name, or use D365_JOURNAL_POSTING_MODE=batch_job.",
                    severity: .configuration)
        } catch {
            return .fail(name, "\(error)", fix: "Check that this device can reach D365.", severity: Self.severity(of: error))
        }
    }

    private func machineMetricsCheck() async -> DoctorCheck {
        do {
            _ = try await machineMetrics.token()
            _ = try await machineMetrics.pendingLaborTickets(limit: 1, cursor: nil)
            return .pass(
                "MachineMetrics", "authenticated at \(configuration[.mappingAuthServiceURL]) and reached \(configuration[.mappingServiceURL])")
        } catch {
            return .fail(
                "MachineMetrics", "\(error)",
                fix: "Check Mapping Service Token, Mapping Service URL and Mapping Auth Service URL: MachineMetrics provides them during deployment.",
                severity: Self.severity(of: error))
        }
    }

    static func severity(of error: any Error) -> DoctorCheck.Severity {
        switch (error as? any CategorizedError)?.category {
        case .authentication?: return .permission
        case .temporary?: return .temporary
        default: return .other
        }
    }

    /// The addresses `host` resolves to.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
