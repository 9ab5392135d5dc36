import Logging
import Redaction

/// What every client of a remote service is built on: the client that sends with retries, the redactor each token
/// it obtains joins, and the logger.
public struct ServiceContext: Sendable {
    public let client: ResilientClient
    public let redactor: Redactor
    public let logger: Logger

    public init(client: ResilientClient, redactor: Redactor, logger: Logger) {
        self.client = client
        self.redactor = redactor
        self.logger = logger
    }
}
