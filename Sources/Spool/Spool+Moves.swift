import CrashPoints
import Foundation
import JSON

/// Moves between the spool's folders: `rename(2)`, then an fsync of both folders. An item's sidecars move with it, and
/// no item is ever put where another item or sidecar is: it takes the next free name (`stem.2.json`).
extension Spool {
    /// A sidecar to write beside an item as it moves: the item's name in its new folder, the name it had when that
    /// differs, and the sidecar it replaces (one that travelled with it, or one left behind by an earlier failure of an
    /// item of that name) are added to `content`.
    public struct NewSidecar: Sendable {
        public let kind: Sidecar.Kind
        public let content: JSONObject

        public init(_ kind: Sidecar.Kind, _ content: JSONObject) {
            self.kind = kind
            self.content = content
        }
    }

    /// Moves item `name` from `source` to `destination` with its sidecars, under its own name when that is free there
    /// (for it and its sidecars) and the next free name otherwise; when `sidecar` is given, it is written first.
    /// Returns the item's name in `destination`. Throws ``SpoolError/Code/vanished`` when someone moved it away first.
    @discardableResult
    public func move(_ name: String, from source: SpoolFolder, to destination: SpoolFolder, adding sidecar: NewSidecar? = nil) throws -> String {
        let target = try moveIntoPlace(name, from: source, to: destination, adding: sidecar)
        try syncDirectory(path(destination))
        try syncDirectory(path(source))
        return target
    }

    /// Moves each of `names` as ``move(_:from:to:adding:)`` does, but makes the two folders durable once for all of
    /// them: a run retiring many files pays two fsyncs, not two per file. Returns the names someone had moved away.
    public func move(_ names: [String], from source: SpoolFolder, to destination: SpoolFolder) throws -> [String] {
        var vanished: [String] = []
        for name in names {
            do {
                try moveIntoPlace(name, from: source, to: destination, adding: nil)
            } catch let error as SpoolError where error.code == .vanished {
                vanished.append(name)
            }
        }
        if vanished.count < names.count {
            try syncDirectory(path(destination))
            try syncDirectory(path(source))
        }
        return vanished
    }

    /// The renames of a move; the folders are not yet durable.
    ///
    /// The item moves before the sidecars that travel with it: a crash between leaves a sidecar behind, never an item
    /// without its reason. A new sidecar is written before the item moves, for the same reason.
    @discardableResult
    private func moveIntoPlace(_ name: String, from source: SpoolFolder, to destination: SpoolFolder, adding sidecar: NewSidecar?) throws -> String {
        guard exists(name, in: source) else {
            throw SpoolError(
                code: .vanished, operation: "move \(SpoolName.shown(name)) to \(destination.rawValue)/ from", path: path(source),
                errorNumber: ENOENT)
        }
        let travelling = Sidecar.Kind.allCases.filter { exists(Sidecar.name(of: $0, for: name), in: source) }
        // The new sidecar may take the place of an old one there only when the item brings none of its kind.
        let replaceable = sidecar.flatMap { travelling.contains($0.kind) ? nil : $0.kind }
        let target = freeName(for: name, in: destination, replacing: replaceable)
        if let sidecar {
            let previous =
                travelling.contains(sidecar.kind)
                ? try? read(Sidecar.name(of: sidecar.kind, for: name), in: source)
                : try? read(Sidecar.name(of: sidecar.kind, for: target), in: destination)
            var content = JSONObject([("item", .string(target))])
            if target != name { content["renamedFrom"] = .string(name) }
            content.members += sidecar.content.members.filter { $0.key != "item" && $0.key != "renamedFrom" }
            if let previous { content["previous"] = (try? JSONParser.parse(previous)) ?? .string(String(decoding: previous, as: UTF8.self)) }
            try writeIntoPlace(
                JSONEncoding.bytes(.object(content), style: .pretty) + [0x0A], as: Sidecar.name(of: sidecar.kind, for: target),
                in: destination)
        }
        try rename(name, in: source, to: target, in: destination)
        CrashPoint.reached("spool.moved")
        for kind in travelling {
            let sidecarName = Sidecar.name(of: kind, for: name)
            if kind == sidecar?.kind {
                // Kept inside the new sidecar as `previous`.
                guard unlink(path(source, sidecarName)) == 0 || errno == ENOENT else {
                    throw SpoolError.system("remove the replaced sidecar", path(source, sidecarName))
                }
            } else {
                try rename(sidecarName, in: source, to: Sidecar.name(of: kind, for: target), in: destination)
            }
        }
        return target
    }

    private func rename(_ name: String, in source: SpoolFolder, to target: String, in destination: SpoolFolder) throws {
        guard Foundation.rename(path(source, name), path(destination, target)) == 0 else {
            throw SpoolError.system("move \(SpoolName.shown(name)) to \(destination.rawValue)/ from", path(source))
        }
    }

    /// A name for item `name` in `folder` that no item and no sidecar there has (but for a sidecar of kind
    /// `replacing`): `name` itself, else `stem.2.json`, `stem.3.json`, …
    func freeName(for name: String, in folder: SpoolFolder, replacing replaceable: Sidecar.Kind? = nil) -> String {
        var candidate = SpoolName.fitted(name)
        var number = 1
        while exists(candidate, in: folder)
            || Sidecar.Kind.allCases.contains(where: { $0 != replaceable && exists(Sidecar.name(of: $0, for: candidate), in: folder) })
        {
            number += 1
            candidate = SpoolName.numbered(name, number)
        }
        return candidate
    }
}
