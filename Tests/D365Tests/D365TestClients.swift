import D365
import Foundation
import HTTP
import Logging
import Redaction
import Synchronization
import TestSupport

/// What the D365 clients are built from, pointed at a simulator session. Their waits (backoff, `Retry-After`) are
/// written down instead of slept: a test sees what would have been waited without waiting it.
struct D365TestClients {
    let logger = Logger(label: "test")
    let client: ResilientClient
    let tokens: EntraTokenProvider
    let environmentURL: String
    let waits = Waits()

    final class Waits: Sendable {
        private let seconds = Mutex<[TimeInterval]>([])
        var all: [TimeInterval] { seconds.withLock { $0 } }
        func add(_ wait: TimeInterval) { seconds.withLock { $0.append(wait) } }
    }

    init(_ session: SimulatorSession) {
        let waits = waits
        client = ResilientClient(transport: session.client, budget: WaitBudget(seconds: 5), sleep: { waits.add($0) })
        environmentURL = session.setting("D365_ENVIRONMENT_HOST")
        tokens = EntraTokenProvider(
            settings: .init(
                authorityHost: session.setting("AZURE_AUTHORITY_HOST"), tenantID: session.setting("D365_TENANT_ID"),
                clientID: session.setting("D365_CLIENT_ID"), credential: .secret(session.setting("D365_CLIENT_SECRET")),
                environmentURL: environmentURL),
            context: ServiceContext(client: client, redactor: Redactor(), logger: logger))
    }
}
