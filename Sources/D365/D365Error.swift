import Failures
import HTTP
import Vocabulary

/// A failure talking to Entra ID or D365, with the seed's troubleshooting advice.
public struct D365Error: CategorizedError, Sendable {
    public let category: FailureCategory
    /// What happened and what to do, for the operator.
    public let message: String
    /// The HTTP status, when there was an answer.
    public let status: Int?
    /// F&O's own text (`innererror.message`), when it sent one.
    public let detail: String?

    public init(category: FailureCategory, message: String, status: Int?, detail: String?) {
        self.category = category
        self.message = message
        self.status = status
        self.detail = detail
    }

    public var description: String {
        var text = message
        if let detail, !detail.isEmpty { text += " D365 says: \(detail)" }
        return text
    }

    /// The entity set is guarded by a Data Services privilege the service account lacks.
    public static func forbidden(entity: EntitySet, write: Bool, detail: String?) -> D365Error {
        let privilege = write ? entity.maintainPrivilege : entity.viewPrivilege
        let grant = write ? "Delete (grants Create + Update + Delete)" : "Read"
        return D365Error(
            category: .authentication,
            message: "D365 refused to \(write ? "write" : "read") \(entity) (403): the service account lacks the Data Services privilege "
                + "\(privilege) on \(entity.aotEntity) (grant: \(grant)). Confirm all required Data Services privileges "
                + "are assigned to the service account; see Option B in Step 2 of the setup guide.",
            status: 403, detail: detail)
    }

    /// F&O refused a token it was given.
    public static func unauthorized(environment: String) -> D365Error {
        D365Error(
            category: .authentication,
            message: "D365 (\(environment)) refused the access token (401) even after a fresh one was fetched. Link the app registration "
                + "to the service account in D365: System administration > Setup > Microsoft Entra ID applications (SysAADClientTable), "
                + "Client Id = D365_CLIENT_ID; and check D365_ENVIRONMENT_HOST is exactly the environment's host.",
            status: 401, detail: nil)
    }
}
