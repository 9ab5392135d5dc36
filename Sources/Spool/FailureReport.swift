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
    /// Moves `name` from `folder` to `failed/` with its error sidecar, under a name free there; the sidecar it had (or
    /// one left in `failed/` by an earlier failure of an item of that name) is kept inside the new one as `previous`.
    /// Returns the item's name in `failed/`.
    @discardableResult
    public func fail(_ name: String, in folder: SpoolFolder, report: FailureReport) throws -> String {
        var content = Self.sidecar(report)
        content["from"] = .string(folder.rawValue)
        return try move(name, from: folder, to: .failed, adding: NewSidecar(.error, content))
    }

    /// Writes a new item straight into `failed/` with its error sidecar, the sidecar first (as a move does).
    public func publishFailed(_ bytes: [UInt8], as name: String, report: FailureReport) throws {
        let target = freeName(for: name, in: .failed)
        var content = JSONObject([("item", .string(target))])
        content.members += Self.sidecar(report).members
        try publish(JSONEncoding.bytes(.object(content), style: .pretty) + [0x0A], as: Sidecar.errorName(for: target), in: .failed)
        try publish(bytes, as: target, in: .failed)
    }

    private static func sidecar(_ report: FailureReport) -> JSONObject {
        var sidecar = JSONObject([
            ("stage", .string(report.stage)), ("reason", .string(report.reason)), ("whatToDo", .string(report.whatToDo)),
            ("runId", .string(report.runID)), ("at", .string(Envelope.timestamp(report.at))),
        ])
        if let remote = report.remote { sidecar["remote"] = .object(remote) }
        return sidecar
    }
}
