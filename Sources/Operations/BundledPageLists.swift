import Spool

/// The page lists that the `pages` items a support bundle holds name, gathered as the items are added, so that the
/// bundle also holds each page they name, once.
struct BundledPageLists {
    private var lists: [PageAddress] = []

    /// Notes the page list `content` names, when it is a `pages` item's.
    mutating func note(_ name: String, _ content: [UInt8]) {
        guard let item = PageListItem(named: String(name.split(separator: "/").last ?? ""), bytes: content), !lists.contains(item.list)
        else { return }
        lists.append(item.list)
    }

    /// Hands `body` each list and each page the lists name, once, as its uncompressed document read back with its
    /// checksum checked, one at a time: the pages of a hundred thousand orders come to over a hundred megabytes. A
    /// page that is missing or damaged is left out and said so in `notes`.
    func forEachPage(in store: PageStore, notes: inout [String], _ body: (PageAddress, [UInt8]) throws -> Void) throws {
        var seen = Set<PageAddress>()
        /// Hands `body` the page unless it was handed already; whether it could be read.
        func take(_ address: PageAddress) throws -> Bool {
            guard seen.insert(address).inserted else { return false }
            let document: [UInt8]
            do {
                document = try store.document(checkedAt: address)
            } catch {
                notes.append("\(error.path) left out: \(error.problem)")
                return false
            }
            try body(address, document)
            return true
        }
        for list in lists {
            guard try take(list), let entries = try? store.pageList(at: list).entries else { continue }
            for entry in entries { _ = try take(entry.address) }
        }
    }
}
