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

    let spool: Spool
    let database: StateDatabase
    let toolVersion: String

    public init(spool: Spool, database: StateDatabase, toolVersion: String) {
        self.spool = spool
        self.database = database
        self.toolVersion = toolVersion
    }

    /// The folder an item is in, among `verb`'s sources.
    public func locate(_ name: String, for verb: Verb) throws -> SpoolFolder {
        guard !name.contains("/"), !name.hasPrefix("."), !Sidecar.isSidecar(name) else {
            throw OperationsError("\(name): give the item's file name as `spool ls` shows it (no folder, not a sidecar)")
        }
        guard let folder = verb.sources.first(where: { access(spool.path($0, name), F_OK) == 0 }) else {
            throw OperationsError("\(name) is not in \(verb.sources.map { "\($0.rawValue)/" }.joined(separator: " or ")); `d365mm spool ls` lists what is")
        }
        return folder
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
            var files = [RunArchiver.SpoolFile(folder: folder, name: name)]
            let sidecar = Sidecar.errorName(for: name)
            if access(spool.path(folder, sidecar), F_OK) == 0 { files.append(.init(folder: folder, name: sidecar)) }
            let archiver = RunArchiver(spool: spool, database: database, toolVersion: toolVersion)
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
            throw OperationsError("\(folder.rawValue)/\(name) cannot go back to work: \(error.description). Restore it from its archive or delete it (d365mm spool delete \(name))")
        }
    }
}
