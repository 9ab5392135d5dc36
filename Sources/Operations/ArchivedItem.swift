import Archive
import Foundation
import Spool

/// An item found inside an archive, with the sidecars archived beside it: how `spool show` answers for an item whose
/// run was archived.
public struct ArchivedItem: Sendable {
    /// The archive's file name in `archive/`.
    public let archive: String
    /// The item's path inside the archive (`posted/NAME`).
    public let entryName: String
    public let bytes: [UInt8]
    /// The sidecars archived beside it, by kind.
    public let sidecars: [Sidecar.Kind: [UInt8]]

    /// The newest archive's copy of the item `name`. An item named as this tool names them is looked for in its run's
    /// archives only; any other name in every archive.
    public static func find(_ name: String, in spool: Spool) throws -> ArchivedItem? {
        let runID = ItemName(parsing: name)?.runID
        let archives = try spool.entries(in: .archive).filter { archive in
            archive.hasSuffix(".tar.gz") && runID.map { archive.contains("_\($0)") } ?? true
        }
        let sidecarNames = Dictionary(uniqueKeysWithValues: Sidecar.Kind.allCases.map { (Sidecar.name(of: $0, for: name), $0) })
        for archive in archives.reversed() {
            let reader = try TarGzReader(path: spool.path(.archive, archive))
            var found: (entry: String, bytes: [UInt8])?
            var sidecars: [Sidecar.Kind: [UInt8]] = [:]
            while let entry = try reader.nextEntry() {
                guard let slash = entry.name.lastIndex(of: "/") else { continue }
                let fileName = String(entry.name[entry.name.index(after: slash)...])
                if fileName == name {
                    found = (entry.name, try reader.readContents())
                } else if let kind = sidecarNames[fileName] {
                    sidecars[kind] = try reader.readContents()
                }
            }
            if let found { return ArchivedItem(archive: archive, entryName: found.entry, bytes: found.bytes, sidecars: sidecars) }
        }
        return nil
    }
}
