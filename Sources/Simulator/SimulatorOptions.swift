/// How a simulated world is set up: its data, its identities, its limits and its faults.
public struct SimulatorOptions: Sendable {
    /// The address to listen on; loopback only.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one.
    public var port = 0
    public var dataSet = DataSetOptions()
    /// Rows per OData page before `@odata.nextLink` (F&O's maximum is 10,000).
    public var pageSize = 10_000
    /// Seconds an Entra ID access token lives.
    public var d365TokenLifetimeSeconds = 3599
    /// Seconds a MachineMetrics access token lives.
    public var machineMetricsTokenLifetimeSeconds = 900
    /// Data Services privileges the service account lacks (e.g. `ProdRouteOperationsEntityView`).
    public var missingPrivileges: Set<String> = []
    /// The name of the journal posting action; `nil` when the deployment has none (standard F&O).
    public var postingAction: String? = "PostJournal"
    /// The service user's default company, which reads without `cross-company=true` are limited to.
    public var defaultCompany = "dat"
    /// The client secret has passed its expiry date in Entra ID.
    public var clientSecretExpired = false
    /// The app registration is listed in F&O's "Microsoft Entra ID applications".
    public var appRegisteredInD365 = true
    public var faults: [FaultRule] = []
    public var identities = SimulatedIdentities()
    /// Serve https with a certificate from a CA made up for this world, which the connector must be told to trust.
    public var tls = false
    /// Put a `CONNECT` proxy in front, the only place the services' name resolves (implies ``tls``).
    public var proxy: ProxyOptions?
    /// Certificates (PEM) registered with the app: client assertions signed with their keys are accepted instead of the
    /// client secret.
    public var clientCertificatePEMs: [String] = []

    public init() {}
}

/// The simulated plant proxy.
public struct ProxyOptions: Sendable {
    /// The Basic login it wants, if any.
    public var user: String?
    public var password: String?

    public init(user: String? = nil, password: String? = nil) {
        self.user = user
        self.password = password
    }
}

/// The fake credentials of a simulated world. They are printed freely: they open nothing real.
public struct SimulatedIdentities: Sendable {
    public var tenantID = "6f1c2a9e-4b7d-4e0a-9c51-3d2f8b7a1e04"
    public var tenantDomain = "contoso.onmicrosoft.com"
    public var clientID = "0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f"
    public var clientSecret = "sim~Q8x.Zr4Lw2_Kp7Vn9Tb3Hc6Jd1Mf5Gs0Ye"
    public var mappingServiceToken = "mmst_sim_4f7a2c9e1b8d6a3f5c0e7b2d9a4f6c1e"

    public init() {}
}
