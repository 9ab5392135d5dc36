/// One configuration variable of `contracts/cli-and-config.md`: its name, the seed's label, default and check.
public struct ConfigurationVariable: Sendable, Hashable {
    public let name: String
    /// The label on the Edge Services screen (the seed), or `nil` for variables only this tool has.
    public let label: String?
    public let isRequired: Bool
    public let isSecret: Bool
    /// The default, as text, for optional variables.
    public let defaultValue: String?
    /// What a valid value looks like, in the operator's words.
    public let check: String
    /// The names the variable is read under, the first found winning: its name, or for the proxies the lower-case
    /// spelling before the upper-case one, as curl reads them.
    public let spellings: [String]
    /// Whether the value may come from the file `<NAME>_FILE` names, or from the systemd credential `<NAME>`, instead
    /// (one place only).
    public let fromFile: Bool

    public init(
        name: String, label: String?, isRequired: Bool, isSecret: Bool, defaultValue: String?, check: String,
        spellings: [String]? = nil, fromFile: Bool = false
    ) {
        self.name = name
        self.label = label
        self.isRequired = isRequired
        self.isSecret = isSecret
        self.defaultValue = defaultValue
        self.check = check
        self.spellings = spellings ?? [name]
        self.fromFile = fromFile
    }

    /// `NAME (Label)`, as errors name a variable.
    public var displayName: String { label.map { "\(name) (\($0))" } ?? name }

    /// The variable naming the file that holds this one's value.
    public var fileVariable: String { name + "_FILE" }
}

extension ConfigurationVariable {
    public static let environmentHost = Self(
        name: "D365_ENVIRONMENT_HOST", label: "D365 Environment Host", isRequired: true, isSecret: false, defaultValue: nil,
        check: "the D365 host name, e.g. contoso.operations.dynamics.com, or its URL")
    public static let tenantID = Self(
        name: "D365_TENANT_ID", label: "D365 Tenant Id", isRequired: true, isSecret: false, defaultValue: nil,
        check: "a GUID or a verified domain name such as contoso.onmicrosoft.com")
    public static let clientID = Self(
        name: "D365_CLIENT_ID", label: "D365 Client Id", isRequired: true, isSecret: false, defaultValue: nil,
        check: "a GUID such as 0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f")
    public static let clientSecret = Self(
        name: "D365_CLIENT_SECRET", label: "D365 Client Secret", isRequired: true, isSecret: true, defaultValue: nil,
        check: "the client secret's value (not its ID) from the app registration; not with D365_CLIENT_CERTIFICATE_FILE", fromFile: true)
    public static let mappingServiceToken = Self(
        name: "MAPPING_SERVICE_TOKEN", label: "Mapping Service Token", isRequired: true, isSecret: true,
        defaultValue: nil, check: "the token MachineMetrics provided for this connector instance", fromFile: true)
    public static let mappingServiceURL = Self(
        name: "MAPPING_SERVICE_URL", label: "Mapping Service URL", isRequired: true, isSecret: false,
        defaultValue: nil, check: "an absolute https:// URL")
    public static let mappingAuthServiceURL = Self(
        name: "MAPPING_AUTH_SERVICE_URL", label: "Mapping Auth Service URL", isRequired: true,
        isSecret: false, defaultValue: nil, check: "an absolute https:// URL")
    public static let defaultSiteID = Self(
        name: "D365_DEFAULT_SITE_ID", label: "D365 Default Site Id", isRequired: true, isSecret: false,
        defaultValue: nil, check: "the D365 site code, e.g. 1 or 110")
    public static let defaultDataAreaID = Self(
        name: "D365_DEFAULT_DATA_AREA_ID", label: "D365 Default Data Area Id", isRequired: true,
        isSecret: false, defaultValue: nil, check: "the legal entity (dataAreaId), e.g. usmf")
    public static let importLaborToMM = Self(
        name: "IMPORT_LTS_TO_MM", label: "Import LTs to MM", isRequired: false, isSecret: false,
        defaultValue: "false", check: "true or false (also 1/0, yes/no)")
    public static let writeLaborToD365 = Self(
        name: "WRITE_LTS_TO_D365", label: "Write LTs to D365", isRequired: false, isSecret: false,
        defaultValue: "false", check: "true or false (also 1/0, yes/no)")
    public static let journalKind = Self(
        name: "JOB_OR_OPERATION_JOURNALS", label: "Job or Operation Journals", isRequired: false, isSecret: false,
        defaultValue: "operation", check: "job or operation")
    public static let postingMode = Self(
        name: "D365_JOURNAL_POSTING_MODE", label: "D365 Journal Posting Mode", isRequired: false, isSecret: false,
        defaultValue: "batch_job", check: "action, batch_job or manual")
    public static let reconciliationWindow = Self(
        name: "D365_RECONCILIATION_WINDOW", label: "D365 Reconciliation Window", isRequired: false,
        isSecret: false, defaultValue: "1y", check: "a number and a unit: y, m (months), w, d or h, e.g. 90d")
    public static let fromERPInterval = Self(
        name: "FROM_ERP_INTERVAL", label: "From ERP Interval", isRequired: false, isSecret: false,
        defaultValue: "10min", check: "a systemd time span such as 10min, 1h or 90s")
    public static let toERPInterval = Self(
        name: "TO_ERP_INTERVAL", label: "To ERP Interval", isRequired: false, isSecret: false,
        defaultValue: "5min", check: "a systemd time span such as 5min, 1h or 90s")
    public static let logLevel = Self(
        name: "LOG_LEVEL", label: "Log Level", isRequired: false, isSecret: false, defaultValue: "info",
        check: "error, warn, info or debug")
    public static let retryAttempts = Self(
        name: "MM_API_RETRY_ATTEMPTS", label: "MM API Retry Attempts", isRequired: false, isSecret: false,
        defaultValue: "3", check: "a whole number from 0 to 20")
    public static let timeoutSeconds = Self(
        name: "MM_API_TIMEOUT_SECONDS", label: "MM API Timeout Seconds", isRequired: false, isSecret: false,
        defaultValue: "30", check: "a whole number of seconds from 1 to 600")
    public static let postingAction = Self(
        name: "D365_POSTING_ACTION", label: nil, isRequired: false, isSecret: false, defaultValue: "PostJournal",
        check: "the name of the OData action that posts a journal (letters, digits, _)")
    public static let authorityHost = Self(
        name: "AZURE_AUTHORITY_HOST", label: nil, isRequired: false, isSecret: false,
        defaultValue: "https://login.microsoftonline.com", check: "an absolute https:// URL")
    public static let spoolDirectory = Self(
        name: "D365MM_SPOOL_DIR", label: nil, isRequired: false, isSecret: false, defaultValue: "./spool",
        check: "a directory the connector can write")
    public static let retryBudget = Self(
        name: "D365MM_RETRY_BUDGET_SECONDS", label: nil, isRequired: false, isSecret: false, defaultValue: "300",
        check: "a whole number of seconds from 0 to 3600: the most a run waits on Retry-After before it stops with 75")
    public static let concurrency = Self(
        name: "D365MM_D365_CONCURRENCY", label: nil, isRequired: false, isSecret: false, defaultValue: "4",
        check: "a whole number from 1 to 8: OData requests in flight to D365")
    public static let archiveAfter = Self(
        name: "D365MM_ARCHIVE_AFTER", label: nil, isRequired: false, isSecret: false, defaultValue: "1d",
        check: "a number and a unit (h, d, w, m for months, y): how old a file in posted/ gets before it is packed into archive/")
    public static let archiveKeep = Self(
        name: "D365MM_ARCHIVE_KEEP", label: nil, isRequired: false, isSecret: false, defaultValue: "90d",
        check: "a number and a unit (h, d, w, m for months, y): archives older than this are deleted")
    public static let archiveMaxMB = Self(
        name: "D365MM_ARCHIVE_MAX_MB", label: nil, isRequired: false, isSecret: false, defaultValue: "1024",
        check: "a whole number of megabytes from 1 to 1000000: the oldest archives go when archive/ holds more")

    public static let httpsProxy = Self(
        name: "HTTPS_PROXY", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check: "http://[user:password@]host:port, the proxy for https:// URLs (user and password percent-encoded)",
        spellings: ["https_proxy", "HTTPS_PROXY"], fromFile: true)
    public static let httpProxy = Self(
        name: "HTTP_PROXY", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check: "http://[user:password@]host:port, the proxy for http:// URLs",
        spellings: ["http_proxy", "HTTP_PROXY"], fromFile: true)
    public static let noProxy = Self(
        name: "NO_PROXY", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check: "comma-separated hosts that go straight: names (with their subdomains), IP addresses or CIDR blocks, or *",
        spellings: ["no_proxy", "NO_PROXY"])

    public static let clientCertificateFile = Self(
        name: "D365_CLIENT_CERTIFICATE_FILE", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check: "a PEM file of the app registration's certificate and its unencrypted RSA private key; instead of D365_CLIENT_SECRET")
    public static let clientCertificateKeyFile = Self(
        name: "D365_CLIENT_CERTIFICATE_KEY_FILE", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check: "a PEM file of the certificate's private key, when it is not in D365_CLIENT_CERTIFICATE_FILE")
    public static let credentialsDirectory = Self(
        name: "D365MM_CREDENTIALS_DIR", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check:
            "a directory of the secrets kept as systemd credentials (NAME, or NAME.cred sealed by systemd-creds), as d365mm config move-secrets lays them down"
    )
    public static let caFile = Self(
        name: "D365MM_CA_FILE", label: nil, isRequired: false, isSecret: false, defaultValue: nil,
        check: "a PEM file of CA certificates trusted besides the system's (a TLS-inspecting proxy, a private CA)")

    /// Every variable, in the contract's order.
    public static let all: [ConfigurationVariable] = [
        environmentHost, tenantID, clientID, clientSecret, mappingServiceToken, mappingServiceURL, mappingAuthServiceURL,
        defaultSiteID, defaultDataAreaID, importLaborToMM, writeLaborToD365, journalKind, postingMode, reconciliationWindow,
        fromERPInterval, toERPInterval, logLevel, retryAttempts, timeoutSeconds, postingAction, authorityHost, spoolDirectory,
        retryBudget, concurrency, archiveAfter, archiveKeep, archiveMaxMB, httpsProxy, httpProxy, noProxy, caFile,
        clientCertificateFile, clientCertificateKeyFile, credentialsDirectory,
    ]
}
