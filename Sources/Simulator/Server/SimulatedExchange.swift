import Foundation

/// A request as the simulator received it, whole.
public struct SimulatedRequest: Sendable {
    public let method: String
    /// The path, percent-encoded as received, without the query.
    public let path: String
    /// The raw query string (after `?`), percent-encoded as received.
    public let query: String
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The query's parameters, decoded, in their order.
    public var queryItems: [(name: String, value: String)] { FormEncoding.decode(query) }

    /// The value of the query parameter `name` (exact case), decoded.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}

/// An answer the simulator gives.
public struct SimulatedResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> SimulatedResponse {
        SimulatedResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: body)
    }

    /// An answer of F&O's OData service: JSON with minimal metadata, as OData 4.0.
    public static func odata(_ status: Int, _ body: [UInt8]) -> SimulatedResponse {
        SimulatedResponse(
            status: status,
            headers: [
                ("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"),
                ("OData-Version", "4.0"),
            ], body: body)
    }

    /// A JSON answer from a Foundation object.
    public static func json(_ status: Int, object: Any, headers: [(name: String, value: String)] = []) -> SimulatedResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return json(status, Array(data), headers: headers)
    }

    /// A plain-text answer.
    public static func text(_ status: Int, _ text: String) -> SimulatedResponse {
        SimulatedResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }
}

/// What the server does with a request: answer (perhaps late), or hang up without answering.
public struct ResponsePlan: Sendable {
    public enum Outcome: Sendable {
        case respond(SimulatedResponse)
        /// Close the connection without a word, as a crashed proxy or a cut network would.
        case hangUp
    }

    public var outcome: Outcome
    /// How long to wait before answering or hanging up.
    public var delay: Duration

    public init(_ outcome: Outcome, delay: Duration = .zero) {
        self.outcome = outcome
        self.delay = delay
    }

    public static func respond(_ response: SimulatedResponse) -> ResponsePlan { ResponsePlan(.respond(response)) }
}

/// `application/x-www-form-urlencoded` and query strings.
enum FormEncoding {
    static func decode(_ text: String) -> [(name: String, value: String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(String(parts[0]))
            let value = parts.count > 1 ? unescape(String(parts[1])) : ""
            return (name, value)
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }

    /// Encodes a query value so that it survives as one parameter.
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$'(),:*/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
