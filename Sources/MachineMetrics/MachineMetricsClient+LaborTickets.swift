import Foundation
import HTTP
import JSON

/// §3 and §4 of the contract: labor tickets waiting for the ERP, and acknowledging them.
extension MachineMetricsClient {
    /// One page of pending tickets.
    public struct PendingPage: Sendable {
        public let tickets: [JSONValue]
        public let nextCursor: String?
    }

    /// What the connector tells MachineMetrics about one ticket revision.
    public struct Acknowledgement: Sendable, Equatable {
        public enum Status: String, Sendable { case exported, failed }

        public let id: String
        public let revision: Int
        public let status: Status
        /// `erpReference` for `exported`, the message for `failed`.
        public let detail: String

        public init(id: String, revision: Int, status: Status, detail: String) {
            self.id = id
            self.revision = revision
            self.status = status
            self.detail = detail
        }

        var json: JSONValue {
            .object(
                JSONObject([
                    ("id", .string(id)), ("revision", .number(revision)), ("status", .string(status.rawValue)),
                    (status == .exported ? "erpReference" : "message", .string(detail)),
                ]))
        }
    }

    /// `GET …/labor-tickets/pending?limit=…[&cursor=…]`.
    public func pendingLaborTickets(limit: Int = 500, cursor: String?) async throws -> PendingPage {
        var path = "/v1/erp/labor-tickets/pending?limit=\(min(1000, max(1, limit)))"
        if let cursor { path += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor) }
        let response = try await authorizedSend(method: "GET", path: path)
        guard response.status == 200 else { throw refusal(response, what: "the pending labor tickets") }
        guard let document = try? JSONParser.parse(response.body), let items = document["items"]?.arrayValue else {
            throw MachineMetricsError(
                category: .temporary,
                message:
                    "MachineMetrics answered the pending labor tickets with a body that is not the contract's JSON; the run stops and the next one asks again.",
                status: 200, remoteCode: nil, remoteMessage: nil)
        }
        return PendingPage(tickets: items, nextCursor: document["nextCursor"]?.stringValue)
    }

    /// `POST …/labor-tickets/acknowledgements`; acknowledging twice is harmless.
    public func acknowledge(_ acknowledgements: [Acknowledgement]) async throws {
        guard !acknowledgements.isEmpty else { return }
        let body = JSONEncoding.bytes(.object(["items": .array(acknowledgements.map(\.json))]))
        let response = try await authorizedSend(method: "POST", path: "/v1/erp/labor-tickets/acknowledgements", body: body)
        guard response.status == 200 else { throw refusal(response, what: "\(acknowledgements.count) labor ticket acknowledgement(s)") }
    }
}
