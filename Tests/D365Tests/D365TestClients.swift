import D365
import HTTP
import Logging
import Redaction
import TestSupport

/// What the D365 clients are built from, pointed at a simulator session.
struct D365TestClients {
    let logger = Logger(label: "test")
    let client: ResilientClient
    let tokens: EntraTokenProvider
    let environmentURL: String

    init(_ session: SimulatorSession) {
        client = ResilientClient(transport: session.client, budget: WaitBudget(seconds: 5))
        environmentURL = session.setting("D365_ENVIRONMENT_HOST")
        tokens = EntraTokenProvider(
            settings: .init(
                authorityHost: session.setting("AZURE_AUTHORITY_HOST"), tenantID: session.setting("D365_TENANT_ID"),
                clientID: session.setting("D365_CLIENT_ID"), credential: .secret(session.setting("D365_CLIENT_SECRET")),
                environmentURL: environmentURL),
            client: client, redactor: Redactor(), logger: logger)
    }
}
