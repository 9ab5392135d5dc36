import Foundation

// Every variable of `contracts/cli-and-config.md`, by the type it reads as. Its order is that of `all` at the end.

extension Setting<String> {
    /// The F&O environment as `scheme://host[:port]`, lower case, no trailing slash.
    public static var environmentHost: Self {
        Self(
            "D365_ENVIRONMENT_HOST", label: "D365 Environment Host", required: true,
            check: "the D365 host name, e.g. contoso.operations.dynamics.com, or its URL", parse: ValueParsers.environmentURL)
    }
    public static var tenantID: Self {
        Self("D365_TENANT_ID", label: "D365 Tenant Id", required: true, check: "a GUID or a verified domain name such as contoso.onmicrosoft.com") {
            ValueParsers.isGUID($0) || ValueParsers.isDomainName($0) ? $0 : nil
        }
    }
    public static var clientID: Self {
        Self("D365_CLIENT_ID", label: "D365 Client Id", required: true, check: "a GUID such as 0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f") {
            ValueParsers.isGUID($0) ? $0 : nil
        }
    }
    /// Without a trailing slash.
    public static var mappingServiceURL: Self {
        Self("MAPPING_SERVICE_URL", label: "Mapping Service URL", required: true, check: "an absolute https:// URL", parse: ValueParsers.serviceURL)
    }
    /// Without a trailing slash.
    public static var mappingAuthServiceURL: Self {
        Self(
            "MAPPING_AUTH_SERVICE_URL", label: "Mapping Auth Service URL", required: true, check: "an absolute https:// URL",
            parse: ValueParsers.serviceURL)
    }
    public static var defaultSiteID: Self {
        Self("D365_DEFAULT_SITE_ID", label: "D365 Default Site Id", required: true, check: "the D365 site code, e.g. 1 or 110") { $0 }
    }
    /// Lower case, as it is sent.
    public static var defaultDataAreaID: Self {
        Self("D365_DEFAULT_DATA_AREA_ID", label: "D365 Default Data Area Id", required: true, check: "the legal entity (dataAreaId), e.g. usmf") {
            $0.contains(" ") || $0.contains("'") ? nil : $0.lowercased()
        }
    }
    public static var postingAction: Self {
        Self("D365_POSTING_ACTION", default: "PostJournal", check: "the name of the OData action that posts a journal (letters, digits, _)") {
            value in
            value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && value.first?.isLetter == true ? value : nil
        }
    }
    /// Without a trailing slash.
    public static var authorityHost: Self {
        Self("AZURE_AUTHORITY_HOST", default: "https://login.microsoftonline.com", check: "an absolute https:// URL", parse: ValueParsers.serviceURL)
    }
    public static var spoolDirectory: Self {
        Self("D365MM_SPOOL_DIR", default: "./spool", check: "a directory the connector can write") { $0 }
    }
}

extension Setting<Secret> {
    public static var mappingServiceToken: Self {
        Self(
            "MAPPING_SERVICE_TOKEN", label: "Mapping Service Token", required: true, secret: true,
            check: "the token MachineMetrics provided for this connector instance", fromFile: true, parse: Secret.init)
    }
}

extension Setting<Secret?> {
    /// Unset when the connector signs in with a certificate; ``Configuration/clientCredential`` says which.
    public static var clientSecret: Self {
        Self(
            "D365_CLIENT_SECRET", label: "D365 Client Secret", required: true, unlessSet: "D365_CLIENT_CERTIFICATE_FILE", secret: true,
            check: "the client secret's value (not its ID) from the app registration; not with D365_CLIENT_CERTIFICATE_FILE", fromFile: true
        ) { Secret($0) }
    }
}

extension Setting<Bool> {
    public static var importLaborToMM: Self {
        Self("IMPORT_LTS_TO_MM", label: "Import LTs to MM", default: "false", check: "true or false (also 1/0, yes/no)", parse: ValueParsers.boolean)
    }
    public static var writeLaborToD365: Self {
        Self(
            "WRITE_LTS_TO_D365", label: "Write LTs to D365", default: "false", check: "true or false (also 1/0, yes/no)", parse: ValueParsers.boolean)
    }
}

extension Setting<Configuration.JournalKind> {
    public static var journalKind: Self {
        Self("JOB_OR_OPERATION_JOURNALS", label: "Job or Operation Journals", default: "operation", check: "job or operation") {
            Configuration.JournalKind(rawValue: $0.lowercased())
        }
    }
}

extension Setting<Configuration.PostingMode> {
    public static var postingMode: Self {
        Self("D365_JOURNAL_POSTING_MODE", label: "D365 Journal Posting Mode", default: "batch_job", check: "action, batch_job or manual") {
            Configuration.PostingMode(rawValue: $0.lowercased())
        }
    }
}

extension Setting<Configuration.LogLevel> {
    public static var logLevel: Self {
        Self("LOG_LEVEL", label: "Log Level", default: "info", check: "error, warn, info or debug") {
            $0.lowercased() == "warning" ? .warn : Configuration.LogLevel(rawValue: $0.lowercased())
        }
    }
}

/// In seconds.
extension Setting<TimeInterval> {
    public static var reconciliationWindow: Self {
        Self(
            "D365_RECONCILIATION_WINDOW", label: "D365 Reconciliation Window", default: "1y",
            check: "an age, \(DurationText.ageUnits), e.g. 90d or 6m"
        ) { DurationText.seconds($0, as: .age) }
    }
    public static var fromERPInterval: Self {
        Self(
            "FROM_ERP_INTERVAL", label: "From ERP Interval", default: "10min",
            check: "a systemd time span such as 10min, 1h or 90s (m is minutes)"
        ) { DurationText.seconds($0, as: .interval) }
    }
    public static var toERPInterval: Self {
        Self(
            "TO_ERP_INTERVAL", label: "To ERP Interval", default: "5min",
            check: "a systemd time span such as 5min, 1h or 90s (m is minutes)"
        ) { DurationText.seconds($0, as: .interval) }
    }
    public static var timeoutSeconds: Self {
        Self("MM_API_TIMEOUT_SECONDS", label: "MM API Timeout Seconds", default: "30", check: "a whole number of seconds from 1 to 600") {
            ValueParsers.wholeNumber($0, in: 1...600).map(TimeInterval.init)
        }
    }
    /// The most one run waits on `Retry-After` before it stops with 75.
    public static var retryBudget: Self {
        Self(
            "D365MM_RETRY_BUDGET_SECONDS", default: "300",
            check: "a whole number of seconds from 0 to 3600: the most a run waits on Retry-After before it stops with 75"
        ) {
            ValueParsers.wholeNumber($0, in: 0...3600).map(TimeInterval.init)
        }
    }
    /// How old a file in `posted/` gets before it is archived.
    public static var archiveAfter: Self {
        Self(
            "D365MM_ARCHIVE_AFTER", default: "1d",
            check: "an age, \(DurationText.ageUnits): how old a file in posted/ gets before it is packed into archive/"
        ) {
            DurationText.seconds($0, as: .age)
        }
    }
    public static var archiveKeep: Self {
        Self("D365MM_ARCHIVE_KEEP", default: "90d", check: "an age, \(DurationText.ageUnits): archives older than this are deleted") {
            DurationText.seconds($0, as: .age)
        }
    }
}

extension Setting<Int> {
    public static var retryAttempts: Self {
        Self("MM_API_RETRY_ATTEMPTS", label: "MM API Retry Attempts", default: "3", check: "a whole number from 0 to 20") {
            ValueParsers.wholeNumber($0, in: 0...20)
        }
    }
    /// OData requests in flight to D365.
    public static var concurrency: Self {
        Self("D365MM_D365_CONCURRENCY", default: "4", check: "a whole number from 1 to 8: OData requests in flight to D365") {
            ValueParsers.wholeNumber($0, in: 1...8)
        }
    }
    /// The most `archive/` and the pages it names (`pages/`) may hold, in MiB; the oldest archives go first.
    public static var archiveMaxMB: Self {
        Self(
            "D365MM_ARCHIVE_MAX_MB", default: "1024",
            check: "a whole number of megabytes from 1 to 1000000: the oldest archives go when archive/ and pages/ together hold more"
        ) {
            ValueParsers.wholeNumber($0, in: 1...1_000_000)
        }
    }
}

extension Setting<ProxyServer?> {
    public static var httpsProxy: Self {
        .optional(
            "HTTPS_PROXY",
            check: "http://[user:password@]host:port, the proxy for https:// URLs (user and password percent-encoded)",
            spellings: ["https_proxy", "HTTPS_PROXY"], fromFile: true, parse: ProxyServer.init(parsing:))
    }
    public static var httpProxy: Self {
        .optional(
            "HTTP_PROXY", check: "http://[user:password@]host:port, the proxy for http:// URLs",
            spellings: ["http_proxy", "HTTP_PROXY"], fromFile: true, parse: ProxyServer.init(parsing:))
    }
}

extension Setting<[ProxyBypass]?> {
    public static var noProxy: Self {
        .optional(
            "NO_PROXY",
            check: "comma-separated hosts that go straight: names (with their subdomains), IP addresses or CIDR blocks, or *",
            spellings: ["no_proxy", "NO_PROXY"], parse: ProxyBypass.list(parsing:))
    }
}

extension Setting<String?> {
    /// CA certificates trusted besides the system's.
    public static var caFile: Self {
        .optional(
            "D365MM_CA_FILE",
            check: "a PEM file of CA certificates trusted besides the system's (a TLS-inspecting proxy, a private CA)",
            parse: ValueParsers.certificateFile)
    }
    public static var clientCertificateFile: Self {
        .optional(
            "D365_CLIENT_CERTIFICATE_FILE",
            check: "a PEM file of the app registration's certificate and its unencrypted RSA private key; instead of D365_CLIENT_SECRET"
        ) { $0 }
    }
    public static var clientCertificateKeyFile: Self {
        .optional(
            "D365_CLIENT_CERTIFICATE_KEY_FILE",
            check: "a PEM file of the certificate's private key, when it is not in D365_CLIENT_CERTIFICATE_FILE"
        ) { $0 }
    }
    /// The Prometheus text file each run rewrites for node_exporter's textfile collector.
    public static var metricsFile: Self {
        .optional(
            "D365MM_METRICS_FILE",
            check: "an absolute path ending in .prom, in node_exporter's textfile directory, e.g. /var/lib/prometheus/node-exporter/d365mm.prom"
        ) { $0.hasPrefix("/") && $0.hasSuffix(".prom") && !$0.hasSuffix("/.prom") ? $0 : nil }
    }
    /// The instance the template units run, which labels the metrics.
    public static var instanceName: Self {
        .optional("D365MM_INSTANCE", check: "letters, digits, - and _: the instance name, which the units of an instance set themselves") {
            !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } ? $0 : nil
        }
    }
    /// Where the secrets kept as systemd credentials are.
    public static var credentialsDirectory: Self {
        .optional(
            "D365MM_CREDENTIALS_DIR",
            check:
                "a directory of the secrets kept as systemd credentials (NAME, or NAME.cred sealed by systemd-creds), as d365mm config move-secrets lays them down"
        ) { path in
            // One this user may not look into is the source's to report.
            var status = stat()
            return stat(path, &status) == 0 ? (status.st_mode & S_IFMT == S_IFDIR ? path : nil) : (errno == EACCES ? path : nil)
        }
    }
}

extension ConfigurationVariable {
    /// Every variable, in the contract's order.
    public static let all: [ConfigurationVariable] = [
        Setting.environmentHost.variable, Setting.tenantID.variable, Setting.clientID.variable, Setting.clientSecret.variable,
        Setting.mappingServiceToken.variable, Setting.mappingServiceURL.variable, Setting.mappingAuthServiceURL.variable,
        Setting.defaultSiteID.variable, Setting.defaultDataAreaID.variable, Setting.importLaborToMM.variable,
        Setting.writeLaborToD365.variable, Setting.journalKind.variable, Setting.postingMode.variable,
        Setting.reconciliationWindow.variable, Setting.fromERPInterval.variable, Setting.toERPInterval.variable,
        Setting.logLevel.variable, Setting.retryAttempts.variable, Setting.timeoutSeconds.variable,
        Setting.postingAction.variable, Setting.authorityHost.variable, Setting.spoolDirectory.variable,
        Setting.retryBudget.variable, Setting.concurrency.variable, Setting.archiveAfter.variable, Setting.archiveKeep.variable,
        Setting.archiveMaxMB.variable, Setting.httpsProxy.variable, Setting.httpProxy.variable, Setting.noProxy.variable,
        Setting.caFile.variable, Setting.clientCertificateFile.variable, Setting.clientCertificateKeyFile.variable,
        Setting.credentialsDirectory.variable, Setting.metricsFile.variable, Setting.instanceName.variable,
    ]
}
