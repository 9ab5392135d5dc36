import JSON

/// Every page a run pulled, each named by its address, in an order that does not depend on which read finished first.
///
/// The list is kept in the page store like a page of rows: a run whose pages are all as before finds its list there
/// too, and writes nothing but the small item that names it (``PageListItem``).
public struct PageList: Sendable, Equatable {
    /// One page as D365 returned it: which entity set, the query and page number, how many rows, where it is kept.
    public struct Entry: Sendable, Equatable {
        public let entitySet: String
        public let query: String
        public let page: Int
        public let rows: Int
        public let address: PageAddress

        public init(entitySet: String, query: String, page: Int, rows: Int, address: PageAddress) {
            self.entitySet = entitySet
            self.query = query
            self.page = page
            self.rows = rows
            self.address = address
        }

        var record: JSONValue {
            .object(
                JSONObject([
                    ("entitySet", .string(entitySet)), ("query", .string(query)), ("page", .number(page)), ("rows", .number(rows)),
                    ("content", .string(address.checksum)),
                ]))
        }
    }

    public let entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries.sorted { ($0.entitySet, $0.query, $0.page) < ($1.entitySet, $1.query, $1.page) }
    }

    /// The list read back from its stored page.
    public init(records: [JSONValue]) throws(EnvelopeError) {
        var entries: [Entry] = []
        for (index, record) in records.enumerated() {
            guard let entitySet = record["entitySet"]?.stringValue, let query = record["query"]?.stringValue,
                let page = record["page"]?.intValue, let rows = record["rows"]?.intValue,
                let address = record["content"]?.stringValue.flatMap(PageAddress.init(checksum:))
            else {
                throw EnvelopeError("entry \(index + 1) of the page list lacks entitySet, query, page, rows or a sha256-tree content address")
            }
            entries.append(Entry(entitySet: entitySet, query: query, page: page, rows: rows, address: address))
        }
        self.init(entries)
    }

    /// The list as the page store keeps it.
    public var stored: StoredPage { StoredPage(records: entries.map(\.record)) }

    public var rows: Int { entries.reduce(0) { $0 + $1.rows } }
}

/// The one record of a `pages` item of `inbox/` or `posted/`: the run's page list, by address.
public struct PageListItem: Sendable, Equatable {
    /// The item kind (`<time>_<run>_from-erp_pages_<n>.json`) and envelope kind of such items.
    public static let kind = "pages"

    public let list: PageAddress
    public let pages: Int
    public let rows: Int

    public init(list: PageAddress, pages: Int, rows: Int) {
        self.list = list
        self.pages = pages
        self.rows = rows
    }

    /// Whether `name` is a `pages` item's, as this tool names them (`<time>_<run>_from-erp_pages_<n>.json`).
    public static func isItemName(_ name: String) -> Bool { ItemName(parsing: name)?.kind == kind }

    /// The item a file holds when its name says it is a `pages` item and its envelope is one; `nil` for any other file.
    public init?(named name: String, bytes: [UInt8]) {
        guard Self.isItemName(name), let envelope = try? Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema),
            let item = try? PageListItem(envelope)
        else { return nil }
        self = item
    }

    /// The item an envelope of kind ``kind`` holds.
    public init(_ envelope: Envelope) throws(EnvelopeError) {
        guard envelope.kind == Self.kind, envelope.records.count == 1, let record = envelope.records.first,
            let list = record["pageList"]?.stringValue.flatMap(PageAddress.init(checksum:)),
            let pages = record["pages"]?.intValue, let rows = record["rows"]?.intValue
        else {
            throw EnvelopeError("a pages item holds one record naming its page list (pageList: sha256-tree:…), with its pages and rows")
        }
        self.init(list: list, pages: pages, rows: rows)
    }

    public var record: JSONValue {
        .object(JSONObject([("pageList", .string(list.checksum)), ("pages", .number(pages)), ("rows", .number(rows))]))
    }
}
