import Foundation
import HTTP

/// `multipart/mixed` bodies as OData `$batch` uses them, read as bytes: a batch answer holds thousands of lines.
enum MultipartMixed {
    /// One part: its headers and its content.
    struct Part {
        let headers: [(name: String, value: String)]
        let content: [UInt8]

        func header(_ name: String) -> String? {
            HeaderName.value(of: name, in: headers)
        }
    }

    /// A fresh boundary for a `$batch` body.
    static func newBoundary() -> String { "batch_\(UUID().uuidString.lowercased())" }

    /// `POST {environment}/data/$batch` carrying `body`, whose parts are delimited by `boundary`.
    static func batchRequest(environmentURL: String, token: String, boundary: String, body: [UInt8]) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: "\(environmentURL)/data/$batch",
            headers: [
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

    /// The parts between the `--boundary` delimiters, each delimiter at the start of a line.
    static func parts(of body: [UInt8], boundary: String) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var lineStart = 0
        while lineStart + delimiter.count <= body.count {
            if body[lineStart..<(lineStart + delimiter.count)].elementsEqual(delimiter) { starts.append(lineStart) }
            guard let newline = body[lineStart...].firstIndex(of: lineFeed) else { break }
            lineStart = newline + 1
        }
        var parts: [Part] = []
        for (position, start) in starts.enumerated() {
            var contentStart = start + delimiter.count
            if body[contentStart...].starts(with: [hyphen, hyphen]) { break }
            while contentStart < body.count, body[contentStart] == carriageReturn || body[contentStart] == lineFeed { contentStart += 1 }
            var end = position + 1 < starts.count ? starts[position + 1] : body.count
            while end > contentStart, body[end - 1] == lineFeed || body[end - 1] == carriageReturn { end -= 1 }
            let (head, content) = splitHead(body[contentStart..<max(contentStart, end)])
            parts.append(Part(headers: headerFields(lines(of: head)), content: Array(content)))
        }
        return parts
    }

    /// An `application/http` part's inner response: status, headers and body.
    static func response(in content: [UInt8]) -> (status: Int, headers: [(name: String, value: String)], body: [UInt8])? {
        let (head, body) = splitHead(content[...])
        let headLines = lines(of: head)
        guard let statusLine = headLines.first, statusLine.starts(with: "HTTP/".utf8) else { return nil }
        // "HTTP/1.1 201 Created": the status is the second word.
        let words = statusLine.split(separator: space, maxSplits: 2)
        guard words.count >= 2, let status = Int(text(words[1])) else { return nil }
        return (status, headerFields(headLines.dropFirst()), Array(body))
    }

    /// The head (up to the first empty line) and what follows it; all of `bytes` is the head when no empty line ends it.
    static func splitHead(_ bytes: ArraySlice<UInt8>) -> (head: ArraySlice<UInt8>, body: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        while let newline = bytes[index...].firstIndex(of: lineFeed) {
            let next = newline + 1
            if next < bytes.endIndex, bytes[next] == lineFeed { return (bytes[..<newline], bytes[(next + 1)...]) }
            if newline > bytes.startIndex, bytes[newline - 1] == carriageReturn, next + 1 < bytes.endIndex,
                bytes[next] == carriageReturn, bytes[next + 1] == lineFeed
            {
                return (bytes[..<(newline - 1)], bytes[(next + 2)...])
            }
            index = next
        }
        return (bytes, bytes[bytes.endIndex...])
    }

    /// The lines of `head`, each without its CR LF or LF.
    private static func lines(of head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        head.split(separator: lineFeed, omittingEmptySubsequences: false).map { $0.last == carriageReturn ? $0.dropLast() : $0 }
    }

    /// `Name: value` lines as fields, names and values without the spaces and tabs around them; other lines are skipped.
    private static func headerFields(_ lines: some Sequence<ArraySlice<UInt8>>) -> [(name: String, value: String)] {
        lines.compactMap { line in
            guard let colon = line.firstIndex(of: nameEnd) else { return nil }
            return (text(trimmed(line[..<colon])), text(trimmed(line[(colon + 1)...])))
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == space || byte == tab || byte == carriageReturn }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return [] }
        return bytes[first...last]
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let hyphen = UInt8(ascii: "-")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let nameEnd = UInt8(ascii: ":")
}
