import Foundation
import JSON
import Spool
import StateStore

/// What an operator does to items by hand, done safely (under the spool lock, which the caller holds): re-drive
/// failed or parked items, park items, delete items after archiving them.
public struct SpoolActions {
    public enum Verb: String, Sendable, CaseIterable {
        case requeue, hold, release, delete

        /// Where `ALL` takes its items from, and where named items may be.
        public var sources: [SpoolFolder] {
            switch self {
            case .requeue: return [.failed, .hold]
            case .hold: return [.failed, .inbox, .outbound]
            case .release: return [.hold]
            case .delete: return [.failed, .hold]
            }
        }
    }

    /// What was done to one item.
    public struct Outcome: Sendable {
        public let name: String
        public let from: SpoolFolder
        /// The folder it went to, or the archive that now holds it (delete).
        public let to: String
    }

    /// What a deleted item is packed by before it goes.
    let archiver: RunArchiver
    var spool: Spool { archiver.spool }

    public init(spool: Spool, database: StateDatabase, toolVersion: String) {
        archiver = RunArchiver(spool: spool, database: database, toolVersion: toolVersion)
    }

    /// The folder an item is in, among `verb`'s sources. A name that is not a plain file name of the spool (a path,
    /// `..`, a sidecar's) and a symbolic link are refused: nothing outside the spool is ever touched.
    public func locate(_ name: String, for verb: Verb) throws -> SpoolFolder {
        try Self.checkItemName(name)
        let places = verb.sources.map { ($0, spool.entryKind(of: name, in: $0)) }
        if let (folder, _) = places.first(where: { $0.1 == .symbolicLink || $0.1 == .other }) {
            throw OperationsError(
                "\(folder.rawValue)/\(SpoolName.shown(name)) is not a regular file (a symbolic link or a folder); d365mm does not follow it out of the spool. Remove it by hand if it does not belong there"
            )
        }
        guard let (folder, _) = places.first(where: { $0.1 == .file }) else {
            throw OperationsError(
                "\(SpoolName.shown(name)) is not in \(verb.sources.map { "\($0.rawValue)/" }.joined(separator: " or ")); `d365mm spool ls` lists what is"
            )
        }
        return folder
    }

    /// Refuses what is not an item's plain file name: a path (`/`, `..`), a hidden file, a sidecar (unless
    /// `sidecarsToo`).
    public static func checkItemName(_ name: String, sidecarsToo: Bool = false) throws {
        guard SpoolName.isPlain(name), !name.hasPrefix(".") else {
            throw OperationsError(
                "\(SpoolName.shown(name)): give the item's file name as `spool ls` shows it, without a folder or `..`; nothing outside the spool is touched"
            )
        }
        guard sidecarsToo || !Sidecar.isSidecar(name) else {
            throw OperationsError("\(SpoolName.shown(name)) is a sidecar: give its item's name; the sidecar goes with it")
        }
    }

    public func perform(_ verb: Verb, on name: String) throws -> Outcome {
        let folder = try locate(name, for: verb)
        switch verb {
        case .requeue, .release:
            let destination = try workFolder(of: name, in: folder)
            let moved = try spool.move(name, from: folder, to: destination)
            return Outcome(name: moved, from: folder, to: destination.rawValue)
        case .hold:
            let moved = try spool.move(name, from: folder, to: .hold)
            return Outcome(name: moved, from: folder, to: SpoolFolder.hold.rawValue)
        case .delete:
            let sidecars = Sidecar.Kind.allCases.map { Sidecar.name(of: $0, for: name) }.filter { spool.entryKind(of: $0, in: folder) == .file }
            let files = ([name] + sidecars).map { RunArchiver.SpoolFile(folder: folder, name: $0) }
            let archive = try archiver.pack(files, runID: RunArchiver.runID(of: files[0]), reason: "deleted by an operator")
            return Outcome(name: name, from: folder, to: "archive/\(archive)")
        }
    }

    /// The items `ALL` means for `verb`: every item of its first source folder.
    public func allItems(for verb: Verb) throws -> [String] {
        try spool.items(in: verb.sources[0])
    }

    /// Where an item goes back to work: `inbox/` for raw pages, `outbound/` for payloads, by its envelope.
    private func workFolder(of name: String, in folder: SpoolFolder) throws -> SpoolFolder {
        let bytes = try spool.read(name, in: folder)
        if (try? Envelope.decode(bytes, expectedSchema: Envelope.inboxSchema)) != nil { return .inbox }
        do {
            _ = try Envelope.decode(bytes, expectedSchema: Envelope.outboundSchema)
            return .outbound
        } catch {
            throw OperationsError(
                "\(folder.rawValue)/\(SpoolName.shown(name)) cannot go back to work: \(error.description). Restore it from its archive or delete it (d365mm spool delete -- \(SpoolName.shown(name)))"
            )
        }
    }
}
