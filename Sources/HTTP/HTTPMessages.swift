import Foundation

/// One HTTP request, whole.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The absolute URL, query included.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A request whose body is `json`, with the JSON content type set.
    public static func json(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: headers + [("Content-Type", "application/json; charset=utf-8")], body: body)
    }
}

/// One HTTP response, whole.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        HeaderName.value(of: name, in: headers)
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object, if it is one.
    public var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// Header field names, which compare without regard to ASCII case (RFC 9110, section 5.1).
public enum HeaderName {
    /// The value of the first of `headers` named `name`.
    public static func value(of name: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { matches($0.name, name) }?.value
    }

    /// Whether `value` may be sent as a field value: no control characters but tab (RFC 9110, section 5.5).
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }
    }

    /// Whether `name` and `other` name the same field.
    private static func matches(_ name: String, _ other: String) -> Bool {
        name.utf8.count == other.utf8.count && zip(name.utf8, other.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
