import ConnectorConfiguration
import Foundation
import Testing

struct ConfigurationLoaderTests {
    static let valid: [String: String] = [
        "D365_ENVIRONMENT_HOST": "contoso.operations.dynamics.com", "D365_TENANT_ID": "6f1c2a9e-4b7d-4e0a-9c51-3d2f8b7a1e04",
        "D365_CLIENT_ID": "0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f", "D365_CLIENT_SECRET": "planted~Secret.Value_123",
        "MAPPING_SERVICE_TOKEN": "planted-mapping-token-456", "MAPPING_SERVICE_URL": "https://erp.machinemetrics.com/api/",
        "MAPPING_AUTH_SERVICE_URL": "https://auth.machinemetrics.com", "D365_DEFAULT_SITE_ID": "110", "D365_DEFAULT_DATA_AREA_ID": "USMF",
    ]

    private func load(_ environment: [String: String], file: String? = nil) throws(ConfigurationError) -> Configuration {
        try ConfigurationLoader.load(ConfigurationSource(environment: environment, filePath: file))
    }

    @Test func theSeedsRequiredValuesAreEnoughAndDefaultsFillTheRest() throws {
        let configuration = try load(Self.valid)
        #expect(configuration[.environmentHost] == "https://contoso.operations.dynamics.com")
        #expect(configuration[.defaultDataAreaID] == "usmf")
        #expect(configuration[.mappingServiceURL] == "https://erp.machinemetrics.com/api")
        #expect(configuration[.journalKind] == .operation)
        #expect(configuration[.postingMode] == .batchJob)
        #expect(configuration[.reconciliationWindow] == 31_557_600, "a year of 365.25 days, as systemd counts it")
        #expect(configuration[.fromERPInterval] == 600)
        #expect(configuration[.toERPInterval] == 300)
        #expect(configuration[.logLevel] == .info)
        #expect(configuration[.retryAttempts] == 3)
        #expect(configuration[.timeoutSeconds] == 30)
        #expect(!configuration[.writeLaborToD365] && !configuration[.importLaborToMM])
        #expect(configuration[.authorityHost] == "https://login.microsoftonline.com")
        #expect(configuration[.clientSecret].map { "\($0)" } == "********")
    }

    @Test(arguments: [
        ("https://contoso.operations.dynamics.com/", "https://contoso.operations.dynamics.com"),
        ("https://CONTOSO.operations.dynamics.com/?cmp=usmf&mi=SysAADClientTable", "https://contoso.operations.dynamics.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("contoso.sandbox.operations.dynamics.com", "https://contoso.sandbox.operations.dynamics.com"),
    ])
    func theHostIsAcceptedAsUsersPasteIt(_ pasted: String, _ expected: String) throws {
        var environment = Self.valid
        environment["D365_ENVIRONMENT_HOST"] = pasted
        #expect(try load(environment)[.environmentHost] == expected)
    }

    @Test func everyProblemIsReportedAtOnceByNameAndLabelWithoutSecrets() {
        var environment = Self.valid
        environment["D365_CLIENT_SECRET"] = nil
        environment["D365_CLIENT_ID"] = "not-a-guid"
        environment["MAPPING_SERVICE_URL"] = "http://erp.machinemetrics.com"
        environment["D365_RECONCILIATION_WINDOW"] = "6q"
        environment["MM_API_RETRY_ATTEMPTS"] = "99"
        environment["LOG_LEVEL"] = "verbose"
        environment["WRITE_LTS_TO_D365"] = "maybe"
        environment["D365_ENVIRONMENT_HOST"] = "ftp://contoso.operations.dynamics.com"
        let error = #expect(throws: ConfigurationError.self) { try load(environment) }
        let text = error?.description ?? ""
        for expected in [
            "D365_CLIENT_SECRET (D365 Client Secret): is required", "D365_CLIENT_ID (D365 Client Id): must be a GUID",
            "MAPPING_SERVICE_URL (Mapping Service URL)", "D365_RECONCILIATION_WINDOW (D365 Reconciliation Window)",
            "MM_API_RETRY_ATTEMPTS (MM API Retry Attempts)", "LOG_LEVEL (Log Level)", "WRITE_LTS_TO_D365 (Write LTs to D365)",
            "D365_ENVIRONMENT_HOST (D365 Environment Host)",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
        #expect(error?.problems.count == 8)
        #expect(!text.contains("planted-mapping-token-456") && !text.contains("planted~Secret"))
    }

    @Test func theFileIsReadAndTheEnvironmentWinsOverIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("d365mm-\(UUID().uuidString).conf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var file = "# d365mm\n"
        for (key, value) in Self.valid where key != "D365_DEFAULT_SITE_ID" { file += "\(key)=\"\(value)\"\n" }
        file += "D365_DEFAULT_SITE_ID=2\nLOG_LEVEL=debug\nD365_TYPO=1\n"
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        let source = ConfigurationSource(environment: ["D365_DEFAULT_SITE_ID": "110"], filePath: path)
        let configuration = try ConfigurationLoader.load(source)
        #expect(configuration[.defaultSiteID] == "110")
        #expect(configuration[.logLevel] == .debug)
        #expect(configuration[.clientSecret]?.revealed == "planted~Secret.Value_123")
        #expect(source.value(of: .defaultSiteID)?.origin == .environment)
        #expect(source.warnings.contains { $0.contains("unknown variable D365_TYPO") })
        #expect(source.warnings.contains { $0.contains("can be read by other users") && $0.contains("chmod 600") })
    }

    @Test(arguments: [("10min", 600.0), ("10m", 600), ("1h", 3600), ("90s", 90), ("1h 30min", 5400), ("2d", 172_800), ("45", 45), ("1M", 2_629_800)])
    func intervalsAreReadAsSystemdReadsThem(_ text: String, _ seconds: Double) {
        #expect(DurationText.seconds(text, as: .interval) == seconds)
    }

    /// The seed's `6m` is six months; the unit lengths are systemd's (a month 30.44 days, a year 365.25).
    @Test(arguments: [
        ("1y", 31_557_600.0), ("6m", 15_778_800), ("6mo", 15_778_800), ("2w", 1_209_600), ("90d", 7_776_000), ("1y 6m", 47_336_400), ("30min", 1800),
    ])
    func agesReadMAsMonths(_ text: String, _ seconds: Double) {
        #expect(DurationText.seconds(text, as: .age) == seconds)
    }

    @Test(arguments: ["45", "", "0d", "6x", "d", "-1d"])
    func agesWithoutAUnitOrAboveZeroAreRefused(_ text: String) {
        #expect(DurationText.seconds(text, as: .age) == nil)
    }
}
