import Hashing
import JSON
import Mapping
import Spool
import Vocabulary

/// An inbox page as the from-ERP transform takes it: its rows with their digests, or why it cannot be used.
///
/// A page from the pull brings the digests worked out while its file was written; a file read from the spool is
/// digested here.
struct InboxPage: Sendable {
    enum Content: Sendable {
        case rows(entitySet: EntitySet, rows: [JSONValue], digests: [SHA256Bytes])
        /// The file cannot be used, and why.
        case unusable(String)
        /// The other direction's, under a name that does not say so.
        case notFromERP
    }

    let name: String
    let content: Content

    init(name: String, content: Content) {
        self.name = name
        self.content = content
    }

    /// A page the pull has just written as `name`, digested as it was written.
    init(_ page: FromERPPuller.Page) {
        name = page.name
        content = Self.content(kind: page.entitySet.name, rows: page.rows) { page.digests }
    }

    /// An inbox file as read from the spool.
    init(name: String, bytes: [UInt8]) {
        self.name = name
        do {
            let envelope = try Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema)
            guard envelope.direction == .fromERP else {
                content = .notFromERP
                return
            }
            content = Self.content(kind: envelope.kind, rows: envelope.records) { Envelope.recordDigests(of: envelope.records) }
        } catch {
            content = .unusable(error.description)
        }
    }

    private static func content(kind: String, rows: [JSONValue], digests: () -> [SHA256Bytes]) -> Content {
        guard let entitySet = EntitySet.named(kind), entitySet.pull != nil else {
            return .unusable("the file holds \(kind) rows, which the from-erp transform does not take")
        }
        return .rows(entitySet: entitySet, rows: rows, digests: digests())
    }
}
