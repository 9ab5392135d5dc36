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
        var sidecar = JSONObject([
            ("item", .string(name)), ("from", .string(folder.rawValue)), ("stage", .string(report.stage)),
            ("reason", .string(report.reason)), ("whatToDo", .string(report.whatToDo)), ("runId", .string(report.runID)),
            ("at", .string(Envelope.timestamp(report.at))),
        ])
        if let remote = report.remote { sidecar["remote"] = .object(remote) }
        let sidecarName = Sidecar.errorName(for: name)
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
}
