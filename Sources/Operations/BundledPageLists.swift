import Spool

/// The page lists that the `pages` items a support bundle holds name, gathered as the items are added, so that the
/// bundle also holds each page they name, once.
struct BundledPageLists {
    private var lists: [PageAddress] = []

    /// Notes the page list `content` names, when it is a `pages` item's.
    mutating func note(_ name: String, _ content: [UInt8]) {
        let fileName = String(name.split(separator: "/").last ?? "")
        guard ItemName(parsing: fileName)?.kind == PageListItem.kind,
            let envelope = try? Envelope.decode(content, expectedSchema: Envelope.inboxSchema), let item = try? PageListItem(envelope),
            !lists.contains(item.list)
        else { return }
        lists.append(item.list)
    }

    /// Each list and each page the lists name, once, as its uncompressed document, read back with its checksum
    /// checked; a page that is missing or damaged is left out and said so in `notes`.
    func pages(in store: PageStore, notes: inout [String]) -> [(PageAddress, [UInt8])] {
        var seen = Set<PageAddress>()
        var pages: [(PageAddress, [UInt8])] = []
        func take(_ address: PageAddress) -> [UInt8]? {
            guard seen.insert(address).inserted else { return nil }
            do {
                let document = try store.document(checkedAt: address)
                pages.append((address, document))
                return document
            } catch {
                notes.append("\(error.path) left out: \(error.problem)")
                return nil
            }
        }
        for list in lists {
            guard let document = take(list), let records = try? StoredPage.records(of: document, address: list),
                let entries = try? PageList(records: records).entries
            else { continue }
            for entry in entries { _ = take(entry.address) }
        }
        return pages
    }
}
