import Foundation
import Spool
import StateStore

/// Which stored pages (`pages/`) nothing kept names any more, and their removal.
///
/// A `pages` item names its pages from the time in its name, an archive from when it was packed. The state database
/// knows, for every page the newest page list stopped naming, a time no item or archive naming it is newer than
/// (``StateDatabase/notePagesNamed(_:at:)``, ``StateDatabase/noteArchivePacked(_:naming:at:)``). So a page last named
/// before the oldest such time still kept is named by nothing kept. Archives that name no pages (the other direction's,
/// sidecars packed late) hold back nothing; one the database does not know counts from the time in its name, the
/// oldest it can name pages from. Items an operator parked in `failed/` or `hold/` may be old and stay long: their
/// pages are kept by name instead, so that they do not hold back every page since.
struct PageCollection {
    let spool: Spool
    let database: StateDatabase

    /// What was removed, and what `pages/` holds after.
    struct Outcome {
        var pagesRemoved = 0
        var bytesKept: Int64 = 0
    }

    /// Removes the pages nothing kept names, `archives` being the archives that stay. A page the state database does
    /// not know (it was made anew, or a run died before naming what it kept) is taken on as named now, so that it goes
    /// only once everything kept now has gone: nothing an archive names is lost with the database.
    func removeUnnamedPages(keeping archives: [String], now: Date = Date()) throws -> Outcome {
        let store = PageStore(spool: spool)
        let kept = try store.addresses()
        let known = try database.storedPageAddresses()
        try database.adoptPages(kept.map(\.hex).filter { !known.contains($0) }, lastNamedAt: ItemName.timestamp(now))
        let protected = try pagesNamedByParkedItems(store)
        let removable = Set(try database.pagesLastNamed(before: oldestNamingTime(archives: archives))).subtracting(protected)
        var outcome = Outcome()
        for address in kept {
            if removable.contains(address.hex) {
                try store.remove(address)
                outcome.pagesRemoved += 1
            } else {
                outcome.bytesKept += spool.attributes(of: address.fileName, in: .pages)?.size ?? 0
            }
        }
        try database.forgetPages(removable.sorted())
        return outcome
    }

    /// The time of the oldest item or archive that may name pages; one later than any when there is none. Forgets the
    /// archives that are gone.
    private func oldestNamingTime(archives: [String]) throws -> String {
        let packed = try database.packedArchives()
        try database.forgetArchives(Set(packed.keys).subtracting(archives).sorted())
        var times: [String] = archives.compactMap { archive in
            guard let namedAt = packed[archive] else { return String(archive.prefix(16)) }
            return namedAt
        }
        for folder in [SpoolFolder.inbox, .posted] {
            let items = try spool.items(in: folder).compactMap(ItemName.init(parsing:)).filter { $0.kind == PageListItem.kind }
            times += items.map { ItemName.timestamp($0.time) }
        }
        return times.min() ?? "99991231T235959Z"
    }

    /// Every page that a `pages` item in `failed/` or `hold/` names, with its page list.
    private func pagesNamedByParkedItems(_ store: PageStore) throws -> Set<String> {
        var named = Set<String>()
        for folder in [SpoolFolder.failed, .hold] {
            for name in try spool.items(in: folder) where PageListItem.isItemName(name) {
                guard let bytes = try? spool.read(name, in: folder), let item = PageListItem(named: name, bytes: bytes) else { continue }
                named.insert(item.list.hex)
                if let list = try? store.pageList(at: item.list) { named.formUnion(list.entries.map(\.address.hex)) }
            }
        }
        return named
    }
}
