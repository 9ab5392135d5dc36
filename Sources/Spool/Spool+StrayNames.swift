import Foundation

/// Files dropped into the spool under names that are not UTF-8 (a Windows share's Latin-1, a broken copy): logs, sidecars
/// and archives name items in UTF-8, so such a file is given a name that is, the first time a run meets it. (A name
/// too long to have a sidecar beside it is shortened when the item moves: ``Spool/freeName(for:in:replacing:)``.)
extension Spool {
    /// A file given a name the spool keeps.
    public struct Adoption: Sendable, Equatable {
        public let folder: SpoolFolder
        /// The name it had, as people are shown it (bytes that are not UTF-8 as `\xXX`).
        public let shownName: String
        /// The name it has now.
        public let name: String
    }

    /// The folders whose files are items, which may come with any name.
    public static let itemFolders: [SpoolFolder] = [.inbox, .outbound, .failed, .hold, .posted]

    /// Renames, in `folders`, every file whose name is not UTF-8 (``SpoolName/adopted(_:)``); call only while holding
    /// the lock. Returns what was renamed, so that the run can say so.
    public func adoptStrayNames(in folders: [SpoolFolder] = Spool.itemFolders) throws -> [Adoption] {
        var adoptions: [Adoption] = []
        for folder in folders {
            let directory = path(folder)
            let stray = try regularFiles(in: folder).filter { String(validating: $0, as: UTF8.self) == nil }
            for bytes in stray {
                let name = freeName(for: SpoolName.adopted(bytes), in: folder)
                guard Foundation.rename(DirectoryEntry(name: bytes, type: 0).path(in: directory), path(folder, name)) == 0 else {
                    if errno == ENOENT { continue }  // moved away meanwhile
                    throw SpoolError.system("give \(SpoolName.shown(bytes)) a UTF-8 name, in", directory)
                }
                adoptions.append(Adoption(folder: folder, shownName: SpoolName.shown(bytes), name: name))
            }
            if !stray.isEmpty { try syncDirectory(directory) }
        }
        return adoptions
    }

    /// The files in `folder` that the next run or spool command will rename (``adoptStrayNames(in:)``), as people
    /// are shown their names.
    public func strayNames(in folder: SpoolFolder) throws -> [String] {
        try regularFiles(in: folder).filter { String(validating: $0, as: UTF8.self) == nil }.map(SpoolName.shown)
    }
}
