import Foundation
import Spool

/// What a `pages` item names, and whether every page is in `pages/` with the checksum its name says: for `spool show`
/// and the support bundle, which never show a damaged page's rows as if they were D365's.
public struct PageListReport: Sendable {
    public let item: PageListItem
    /// `nil` when the page list itself cannot be read back.
    public let list: PageList?
    /// Every page (the list included) that is missing or damaged.
    public let problems: [PageStoreError]

    public init(item: PageListItem, store: PageStore) {
        self.item = item
        do throws(PageStoreError) {
            let list = try store.pageList(at: item.list)
            self.list = list
            var checked = Set<PageAddress>()
            problems = list.entries.compactMap { entry in checked.insert(entry.address).inserted ? store.problem(with: entry.address) : nil }
        } catch {
            list = nil
            problems = [error]
        }
    }

    /// Whether every page is there and intact.
    public var isWhole: Bool { problems.isEmpty }

    /// The report as `spool show` prints it, two spaces in.
    public var lines: [String] {
        var lines = ["  Names \(item.pages) page(s) with \(item.rows) row(s), listed in pages/\(item.list.fileName):"]
        if let list {
            let bySet = Dictionary(grouping: list.entries, by: \.entitySet)
            for entitySet in bySet.keys.sorted() {
                let entries = bySet[entitySet]!
                lines.append("    \(entitySet): \(entries.count) page(s), \(entries.reduce(0) { $0 + $1.rows }) row(s)")
            }
        }
        if isWhole {
            lines.append("  Every page it names is in pages/ with a good checksum (zcat pages/<address>.json.gz shows one).")
        } else {
            lines.append("  \(problems.count) page(s) cannot be shown as D365 returned them:")
            lines += problems.map { "    \($0.path): \($0.problem)" }
            lines.append(
                "  The next pull that meets the same rows in D365 keeps them again; what this item names from those pages is lost.")
        }
        return lines
    }
}
