import Failures
import HTTP

/// A failure talking to the MachineMetrics mapping or authentication service.
public struct MachineMetricsError: CategorizedError, Sendable {
    public let category: FailureCategory
    public let message: String
    public let status: Int?
    /// The service's `code` and `message`, when its body had them.
    public let remoteCode: String?
    public let remoteMessage: String?

    public var description: String {
        var text = message
        if let remoteCode { text += " (\(remoteCode)\(remoteMessage.map { ": \($0)" } ?? ""))" }
        return text
    }
}
