import Hashing
import JSON
import Mapping
import Spool
import Vocabulary

/// A page as the from-ERP transform takes it: where it comes from, and its rows with their digests, or why it cannot
/// be used.
///
/// A page from the pull brings the digests worked out as it was kept; a page read from the spool is digested here.
struct InboxPage: Sendable {
    enum Source: Sendable, Equatable {
        /// An inbox file holding its rows.
        case file(String)
        /// The run's pull: the page's number among its pages, and its entry in the run's page list.
        case pulled(Int, PageList.Entry)
        /// One page of an inbox `pages` item, its entry in the item's page list; the last one retires the item.
        case listed(item: String, entry: PageList.Entry, isLast: Bool)
    }

    enum Content: Sendable {
        case rows(entitySet: EntitySet, rows: [JSONValue], digests: [SHA256Bytes])
        /// A `pages` item: the run's page list, by address; its pages are taken one by one.
        case pageList(PageListItem)
        /// The file cannot be used, and why.
        case unusable(String)
        /// The other direction's, under a name that does not say so.
        case notFromERP
    }

    let source: Source
    let content: Content

    init(source: Source, content: Content) {
        self.source = source
        self.content = content
    }

    /// A page the pull has just kept, digested as it was kept.
    init(_ page: FromERPPuller.Page) {
        source = .pulled(page.number, page.entry)
        content = Self.content(kind: page.entry.entitySet, rows: page.rows) { page.digests }
    }

    /// An inbox file as read from the spool.
    init(name: String, bytes: [UInt8]) {
        source = .file(name)
        do {
            let envelope = try Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema)
            guard envelope.direction == .fromERP else {
                content = .notFromERP
                return
            }
            if envelope.kind == PageListItem.kind {
                content = .pageList(try PageListItem(envelope))
            } else {
                content = Self.content(kind: envelope.kind, rows: envelope.records) { Envelope.recordDigests(of: envelope.records) }
            }
        } catch {
            content = .unusable(error.description)
        }
    }

    /// One page of an inbox `pages` item, as read from the page store.
    init(listedIn item: String, entry: PageList.Entry, records: [JSONValue], isLast: Bool) {
        source = .listed(item: item, entry: entry, isLast: isLast)
        content = Self.content(kind: entry.entitySet, rows: records) { Envelope.recordDigests(of: records) }
    }

    /// How logs and sidecars name the page.
    var shownName: String {
        switch source {
        case .file(let name): return "inbox/\(name)"
        case .listed(let name, let entry, _): return "page \(entry.page) of \(entry.entitySet) that inbox/\(name) lists"
        case .pulled(_, let entry): return "page \(entry.page) of \(entry.query)"
        }
    }

    private static func content(kind: String, rows: [JSONValue], digests: () -> [SHA256Bytes]) -> Content {
        guard let entitySet = EntitySet.named(kind), entitySet.pull != nil else {
            return .unusable("the file holds \(kind) rows, which the from-erp transform does not take")
        }
        return .rows(entitySet: entitySet, rows: rows, digests: digests())
    }
}
