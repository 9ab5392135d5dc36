import JSON
import Mapping
import Spool

/// An inbox page as the from-ERP transform takes it: its rows with their digests, or why it cannot be used.
///
/// A page from the pull brings the digests worked out while its file was written; a file read from the spool is
/// digested here.
struct InboxPage: Sendable {
    enum Content: Sendable {
        case rows(entitySet: String, rows: [JSONValue], digests: [String])
        /// The file cannot be used, and why.
        case unusable(String)
        /// The other direction's, under a name that does not say so.
        case notFromERP
    }

    let name: String
    let content: Content

    /// A page the pull has just written as `name`, digested as it was written.
    init(_ page: FromERPPuller.Page) {
        name = page.name
        content = FromERPMapping.collections[page.entitySet] == nil
            ? .unusable("the file holds \(page.entitySet) rows, which the from-erp transform does not take")
            : .rows(entitySet: page.entitySet, rows: page.rows, digests: page.digests)
    }

    /// An inbox file as read from the spool.
    init(name: String, bytes: [UInt8], scope: FromERPMapping.Scope) {
        self.name = name
        do {
            let envelope = try Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema)
            content = envelope.direction == .fromERP ? Self.content(entitySet: envelope.kind, rows: envelope.records, scope: scope) : .notFromERP
        } catch {
            content = .unusable(error.description)
        }
    }

    private static func content(entitySet: String, rows: [JSONValue], scope: FromERPMapping.Scope) -> Content {
        guard FromERPMapping.collections[entitySet] != nil else {
            return .unusable("the file holds \(entitySet) rows, which the from-erp transform does not take")
        }
        return .rows(entitySet: entitySet, rows: rows, digests: FromERPMapping.rowDigests(entitySet: entitySet, rows: rows, scope: scope))
    }
}
