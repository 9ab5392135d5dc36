import Foundation
import JSON

/// Why an item went to `failed/`, and what the operator can do: written beside it as `NAME.error.json`.
public struct FailureReport: Sendable {
    /// The stage that gave up on the item: `validate`, `transform`, `post`, `write`, …
    public var stage: String
    /// One sentence: what is wrong.
    public var reason: String
    /// What to do next, in the operator's words.
    public var whatToDo: String
    public var runID: String
    public var at: Date
    /// What the far side answered, when it refused: status, code, message.
    public var remote: JSONObject?

    public init(stage: String, reason: String, whatToDo: String, runID: String, at: Date = Date(), remote: JSONObject? = nil) {
        self.stage = stage
        self.reason = reason
        self.whatToDo = whatToDo
        self.runID = runID
        self.at = at
        self.remote = remote
    }
}

extension Spool {
    /// Moves `name` from `folder` to `failed/` with its error sidecar; an older sidecar of the same item is kept inside
    /// the new one as `previous`. Returns the item's name in `failed/`.
    @discardableResult
    public func fail(_ name: String, in folder: SpoolFolder, report: FailureReport) throws -> String {
        let sidecarName = Sidecar.errorName(for: name)
        var sidecar = Self.sidecar(item: name, from: folder, report: report)
        if let previous = try? read(sidecarName, in: .failed), let old = try? JSONParser.parse(previous) {
            sidecar["previous"] = old
        }
        // The sidecar first: a crash between the two leaves the item where it was, to fail again next run.
        try publish(JSONEncoding.bytes(.object(sidecar), style: .pretty) + [0x0A], as: sidecarName, in: .failed)
        let moved = try move(name, from: folder, to: .failed)
        if moved != name {
            try publish(JSONEncoding.bytes(.object(sidecar), style: .pretty) + [0x0A], as: Sidecar.errorName(for: moved), in: .failed)
        }
        return moved
    }

    /// Writes a new item straight into `failed/` with its error sidecar (sidecar first, as ``fail(_:in:report:)``).
    public func publishFailed(_ bytes: [UInt8], as name: String, report: FailureReport) throws {
        let sidecar = Self.sidecar(item: name, from: nil, report: report)
        try publish(JSONEncoding.bytes(.object(sidecar), style: .pretty) + [0x0A], as: Sidecar.errorName(for: name), in: .failed)
        try publish(bytes, as: name, in: .failed)
    }

    private static func sidecar(item: String, from folder: SpoolFolder?, report: FailureReport) -> JSONObject {
        var sidecar = JSONObject([("item", .string(item))])
        if let folder { sidecar["from"] = .string(folder.rawValue) }
        sidecar["stage"] = .string(report.stage)
        sidecar["reason"] = .string(report.reason)
        sidecar["whatToDo"] = .string(report.whatToDo)
        sidecar["runId"] = .string(report.runID)
        sidecar["at"] = .string(Envelope.timestamp(report.at))
        if let remote = report.remote { sidecar["remote"] = .object(remote) }
        return sidecar
    }
}
