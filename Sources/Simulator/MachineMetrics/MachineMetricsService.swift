import Crypto
import Foundation

/// The MachineMetrics authentication API and ERP mapping service, exactly as `contracts/machinemetrics-api.md` says.
struct MachineMetricsService {
    static let authPrefix = "/mm/auth"
    static let apiPrefix = "/mm/api"

    func handle(_ request: SimulatedRequest, state: inout MachineMetricsState, now: Date) -> SimulatedResponse {
        if request.path == Self.authPrefix + "/v1/token" {
            return token(request, state: &state, now: now)
        }
        guard request.path.hasPrefix(Self.apiPrefix + "/v1/erp/") else {
            return error(404, "NotFound", "No route for \(request.method) \(request.path).")
        }
        guard let authorization = request.header("Authorization"), authorization.hasPrefix("Bearer "),
            let expiry = state.issued[String(authorization.dropFirst(7))], expiry > now
        else {
            return error(401, "Unauthorized", "The access token is missing, expired or revoked.")
        }
        let resource = String(request.path.dropFirst((Self.apiPrefix + "/v1/erp/").count))
        switch (request.method, resource) {
        case ("GET", "labor-tickets/pending"):
            return pendingTickets(request, state: state)
        case ("POST", "labor-tickets/acknowledgements"):
            return acknowledge(request, state: &state)
        case ("PUT", let collection) where MachineMetricsState.collections.contains(collection):
            return upsert(collection: collection, request, state: &state)
        default:
            return error(404, "NotFound", "No route for \(request.method) \(request.path).")
        }
    }

    // MARK: §1 Access token

    private func token(_ request: SimulatedRequest, state: inout MachineMetricsState, now: Date) -> SimulatedResponse {
        guard request.method == "POST" else { return error(405, "MethodNotAllowed", "Use POST.") }
        guard let body = Self.object(request.body), let token = body["token"] as? String else {
            return error(
                400, "ValidationError", "The body must be {\"token\": \"…\"}.",
                errors: [["field": "token", "code": "Required", "message": "token is required"]])
        }
        guard token == state.serviceToken else {
            return error(401, "Unauthorized", "The mapping service token is invalid or revoked.")
        }
        let accessToken = "mmat_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        state.issued[accessToken] = now.addingTimeInterval(TimeInterval(state.tokenLifetimeSeconds))
        return .json(200, object: ["accessToken": accessToken, "tokenType": "Bearer", "expiresIn": state.tokenLifetimeSeconds])
    }

    // MARK: §2 Upserting ERP records

    private func upsert(collection: String, _ request: SimulatedRequest, state: inout MachineMetricsState) -> SimulatedResponse {
        guard let idempotencyKey = request.header("Idempotency-Key"), !idempotencyKey.isEmpty else {
            return error(
                400, "ValidationError", "The Idempotency-Key header is required.",
                errors: [["field": "Idempotency-Key", "code": "Required", "message": "header is required"]])
        }
        guard let body = Self.object(request.body) else {
            return error(400, "ValidationError", "The body is not a JSON object.")
        }
        guard let batchID = body["batchId"] as? String, !batchID.isEmpty else {
            return error(
                400, "ValidationError", "batchId is required.", errors: [["field": "batchId", "code": "Required", "message": "batchId is required"]])
        }
        guard batchID == idempotencyKey else {
            return error(400, "ValidationError", "The Idempotency-Key header must equal the body's batchId.")
        }
        guard let records = body["records"] as? [Any] else {
            return error(
                400, "ValidationError", "records must be an array.",
                errors: [["field": "records", "code": "Required", "message": "records is required"]])
        }
        guard records.count <= 1000 else {
            return error(413, "PayloadTooLarge", "A batch holds at most 1000 records; this one has \(records.count).")
        }
        let digest = Self.digest(of: body)
        if let remembered = state.batches[batchID] {
            guard remembered.digest == digest else {
                return error(409, "IdempotencyConflict", "Batch \(batchID) was already received with a different body.")
            }
            return .json(200, remembered.response, headers: [("Idempotent-Replayed", "true")])
        }
        var accepted = 0
        var rejected: [[String: Any]] = []
        for (index, item) in records.enumerated() {
            guard let record = item as? [String: Any] else {
                rejected.append(["index": index, "key": NSNull(), "code": "InvalidRecord", "message": "record \(index) is not an object"])
                continue
            }
            let key = record["key"] as? String
            if let problem = validate(record, collection: collection, state: state) {
                rejected.append(["index": index, "key": key.map { $0 as Any } ?? NSNull(), "code": problem.code, "message": problem.message])
                continue
            }
            let canonical = Self.canonical(record)
            state.records[collection, default: [:]][key!, default: .init(json: [], timesReceived: 0)].json = canonical
            state.records[collection]![key!]!.timesReceived += 1
            accepted += 1
        }
        let response = Self.canonical(["batchId": batchID, "accepted": accepted, "rejected": rejected])
        state.batches[batchID] = .init(digest: digest, response: response)
        return .json(200, response)
    }

    private func validate(_ record: [String: Any], collection: String, state: MachineMetricsState) -> (code: String, message: String)? {
        guard let key = record["key"] as? String, !key.isEmpty else { return ("MissingField", "key is required") }
        if let message = state.rejectKeys[key] { return ("InvalidReference", message) }
        let required: [String]
        switch collection {
        case "work-orders": required = ["dataAreaId", "number", "status"]
        case "operations": required = ["workOrderKey", "sequence"]
        case "resources": required = ["resourceId"]
        case "persons": required = ["personnelNumber"]
        case "parts": required = ["itemNumber"]
        default: required = ["workOrderKey"]
        }
        if let missing = required.first(where: { record[$0] == nil || record[$0] is NSNull }) {
            return ("MissingField", "\(missing) is required")
        }
        if collection == "work-orders", let status = record["status"] as? String,
            !["created", "scheduled", "released", "started", "reported-finished", "ended"].contains(status)
        {
            return ("InvalidValue", "status '\(status)' is not a work order status")
        }
        if collection == "operations" || collection == "labor-tickets", let parent = record["workOrderKey"] as? String,
            state.records["work-orders"]?[parent] == nil
        {
            return ("InvalidReference", "work order \(parent) is not known")
        }
        return nil
    }

    // MARK: §3 Pending labor tickets

    private func pendingTickets(_ request: SimulatedRequest, state: MachineMetricsState) -> SimulatedResponse {
        let limitText = request.queryValue("limit") ?? "500"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            return error(
                400, "ValidationError", "limit must be between 1 and 1000.",
                errors: [["field": "limit", "code": "OutOfRange", "message": "1 to 1000"]])
        }
        var after = ""
        if let cursor = request.queryValue("cursor") {
            guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("after:") else {
                return error(400, "ValidationError", "The cursor is not valid.")
            }
            after = String(text.dropFirst(6))
        }
        let pending = state.tickets.lazy.filter { $0.id > after && $0.isPending }
        let page = Array(pending.prefix(limit))
        let more = page.count == limit && pending.dropFirst(limit).first != nil
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for ticket in page { writer.raw(ticket.json()) }
        writer.endArray()
        writer.key("nextCursor")
        writer.optionalString(more ? Data("after:\(page.last!.id)".utf8).base64EncodedString() : nil)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    // MARK: §4 Acknowledgements

    private func acknowledge(_ request: SimulatedRequest, state: inout MachineMetricsState) -> SimulatedResponse {
        guard let body = Self.object(request.body), let items = body["items"] as? [[String: Any]] else {
            return error(400, "ValidationError", "The body must be {\"items\": [ … ]}.")
        }
        var problems: [[String: Any]] = []
        for (index, item) in items.enumerated() {
            let status = item["status"] as? String
            if item["id"] as? String == nil || item["revision"] as? Int == nil {
                problems.append(["field": "items[\(index)]", "code": "Required", "message": "id and revision are required"])
            } else if status != "exported" && status != "failed" {
                problems.append(["field": "items[\(index)].status", "code": "InvalidValue", "message": "status must be exported or failed"])
            } else if status == "exported" && (item["erpReference"] as? String ?? "").isEmpty {
                problems.append(["field": "items[\(index)].erpReference", "code": "Required", "message": "erpReference is required for exported"])
            } else if status == "failed" && (item["message"] as? String ?? "").isEmpty {
                problems.append(["field": "items[\(index)].message", "code": "Required", "message": "message is required for failed"])
            }
        }
        guard problems.isEmpty else { return error(422, "ValidationError", "Some acknowledgements are not valid.", errors: problems) }
        var updated = 0
        for item in items {
            let id = item["id"] as! String
            let revision = item["revision"] as! Int
            let status = item["status"] as! String
            state.acknowledgements.append(
                .init(id: id, revision: revision, status: status, erpReference: item["erpReference"] as? String, message: item["message"] as? String))
            guard let index = state.ticketIndex(id), revision <= state.tickets[index].revision else { continue }
            if status == "exported" {
                if revision >= (state.tickets[index].exportedRevision ?? 0) {
                    state.tickets[index].exportedRevision = revision
                    state.tickets[index].erpReference = item["erpReference"] as? String
                }
            } else {
                state.tickets[index].failedRevision = revision
                state.tickets[index].failureMessage = item["message"] as? String
            }
            updated += 1
        }
        return .json(200, object: ["updated": updated])
    }

    // MARK: Helpers

    private func error(_ status: Int, _ code: String, _ message: String, errors: [[String: Any]]? = nil) -> SimulatedResponse {
        var body: [String: Any] = ["code": code, "message": message]
        if let errors { body["errors"] = errors }
        return .json(status, object: body)
    }

    static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// JSON with sorted keys: equal for bodies of the same meaning, whatever their key order or spacing.
    ///
    /// Keys are sorted here by their UTF-8 bytes; Foundation's `.sortedKeys` compares them with a locale built per
    /// comparison, which made taking a batch of 1000 records cost half a second.
    static func canonical(_ object: Any) -> [UInt8] {
        var output: [UInt8] = []
        writeCanonical(object, into: &output)
        return output
    }

    private static func writeCanonical(_ object: Any, into output: inout [UInt8]) {
        if let dictionary = object as? [String: Any] {
            output.append(UInt8(ascii: "{"))
            for (position, key) in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeCanonical(key, into: &output)
                output.append(UInt8(ascii: ":"))
                writeCanonical(dictionary[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        } else if let array = object as? [Any] {
            output.append(UInt8(ascii: "["))
            for (position, element) in array.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeCanonical(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        } else {
            output += Array((try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data("null".utf8))
        }
    }

    static func digest(of object: Any) -> String {
        SHA256.hash(data: canonical(object)).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
