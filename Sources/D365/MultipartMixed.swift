import Foundation
import HTTP

/// `multipart/mixed` bodies as OData `$batch` uses them.
enum MultipartMixed {
    /// One part: its headers and its content.
    struct Part {
        let headers: [(name: String, value: String)]
        let content: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// A fresh boundary for a `$batch` body.
    static func newBoundary() -> String { "batch_\(UUID().uuidString.lowercased())" }

    /// `POST {environment}/data/$batch` carrying `body`, whose parts are delimited by `boundary`.
    static func batchRequest(environmentURL: String, token: String, boundary: String, body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: "\(environmentURL)/data/$batch", headers: [
            ("Authorization", "Bearer \(token)"), ("Content-Type", "multipart/mixed; boundary=\(boundary)"),
            ("Accept", "multipart/mixed"), ("OData-Version", "4.0"), ("OData-MaxVersion", "4.0"),
        ], body: body)
    }

    /// The boundary parameter of a `multipart/mixed` content type.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/mixed") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// The parts between the `--boundary` delimiters.
    static func parts(of body: [UInt8], boundary: String) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var index = 0
        while index + delimiter.count <= body.count {
            if (index == 0 || body[index - 1] == 0x0A) && body[index..<(index + delimiter.count)].elementsEqual(delimiter) {
                starts.append(index)
                index += delimiter.count
            } else {
                index += 1
            }
        }
        var parts: [Part] = []
        for (position, start) in starts.enumerated() {
            var contentStart = start + delimiter.count
            if body[contentStart...].starts(with: [0x2D, 0x2D]) { break }
            while contentStart < body.count, body[contentStart] == 0x0D || body[contentStart] == 0x0A { contentStart += 1 }
            var end = position + 1 < starts.count ? starts[position + 1] : body.count
            while end > contentStart, body[end - 1] == 0x0A || body[end - 1] == 0x0D { end -= 1 }
            let (head, content) = splitHead(Array(body[contentStart..<max(contentStart, end)]))
            parts.append(Part(headers: headerLines(head), content: content))
        }
        return parts
    }

    /// An `application/http` part's inner response: status, headers and body.
    static func response(in content: [UInt8]) -> (status: Int, headers: [(name: String, value: String)], body: [UInt8])? {
        let (head, body) = splitHead(content)
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").flatMap { $0.components(separatedBy: "\n") }
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/"), let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            return nil
        }
        return (status, headerLines(Array(lines.dropFirst().joined(separator: "\n").utf8)), body)
    }

    static func splitHead(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        var index = 0
        while index < bytes.count {
            if bytes[index...].starts(with: [0x0D, 0x0A, 0x0D, 0x0A]) { return (Array(bytes[..<index]), Array(bytes[(index + 4)...])) }
            if bytes[index...].starts(with: [0x0A, 0x0A]) { return (Array(bytes[..<index]), Array(bytes[(index + 2)...])) }
            index += 1
        }
        return (bytes, [])
    }

    private static func headerLines(_ head: [UInt8]) -> [(name: String, value: String)] {
        String(decoding: head, as: UTF8.self).components(separatedBy: .newlines).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].trimmingCharacters(in: .whitespaces), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}
