import Foundation

/// OData `$batch` bodies (`multipart/mixed`): reading requests and changesets, writing responses.
enum BatchMultipart {
    /// One request inside a batch.
    struct Operation {
        let contentID: String?
        let method: String
        /// The URL as written in the part: relative to `/data/`, absolute, or rooted.
        let url: String
        let headers: [(name: String, value: String)]
        let body: [UInt8]
    }

    /// A top-level part: one request, or a changeset whose requests succeed or fail together.
    enum Part {
        case single(Operation)
        case changeset([Operation])
    }

    /// One answer inside a batch response.
    struct Answer {
        let contentID: String?
        let response: SimulatedResponse
    }

    enum Reply {
        case single(Answer)
        case changeset([Answer])
    }

    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/mixed") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws -> [Part] {
        try sections(of: body, boundary: boundary).map { section in
            let (headers, content) = splitHead(section)
            let contentType = header("Content-Type", in: headers)
            if let inner = self.boundary(of: contentType) {
                return .changeset(try sections(of: content, boundary: inner).map { try operation(from: $0) })
            }
            return .single(try operation(from: section))
        }
    }

    static func compose(_ replies: [Reply], boundary: String) -> [UInt8] {
        var output = Output()
        for reply in replies {
            output.line("--\(boundary)")
            switch reply {
            case .single(let answer):
                output.write(answer)
            case .changeset(let answers):
                let inner = "changesetresponse_\(UUID().uuidString.lowercased())"
                output.line("Content-Type: multipart/mixed; boundary=\(inner)")
                output.line("")
                for answer in answers {
                    output.line("--\(inner)")
                    output.write(answer)
                }
                output.line("--\(inner)--")
            }
        }
        output.line("--\(boundary)--")
        return output.bytes
    }

    private struct Output {
        var bytes: [UInt8] = []

        mutating func line(_ text: String) { bytes.append(contentsOf: Array((text + "\r\n").utf8)) }

        mutating func write(_ answer: Answer) {
            line("Content-Type: application/http")
            line("Content-Transfer-Encoding: binary")
            if let contentID = answer.contentID { line("Content-ID: \(contentID)") }
            line("")
            line("HTTP/1.1 \(answer.response.status) \(BatchMultipart.reason(answer.response.status))")
            for header in answer.response.headers { line("\(header.name): \(header.value)") }
            line("")
            bytes.append(contentsOf: answer.response.body)
            line("")
        }
    }

    private static func operation(from section: [UInt8]) throws -> Operation {
        let (partHeaders, content) = splitHead(section)
        let (httpHead, body) = splitHead(content)
        let lines = String(decoding: httpHead, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard let requestLine = lines.first else { throw ODataQueryError(message: "A batch part holds no request line.") }
        let words = requestLine.split(separator: " ")
        guard words.count >= 2 else { throw ODataQueryError(message: "The batch request line '\(requestLine)' is not valid.") }
        let headers = lines.dropFirst().compactMap { text -> (name: String, value: String)? in
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return (String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var trimmed = body
        while let last = trimmed.last, last == 0x0A || last == 0x0D { trimmed.removeLast() }
        return Operation(
            contentID: header("Content-ID", in: partHeaders), method: String(words[0]), url: String(words[1]), headers: headers, body: trimmed)
    }

    /// The sections between `--boundary` delimiters, without their line breaks.
    private static func sections(of body: [UInt8], boundary: String) throws(ODataQueryError) -> [[UInt8]] {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var index = 0
        while index + delimiter.count <= body.count {
            if (index == 0 || body[index - 1] == 0x0A) && body[index..<index + delimiter.count].elementsEqual(delimiter) {
                starts.append(index)
                index += delimiter.count
            } else {
                index += 1
            }
        }
        guard !starts.isEmpty else { throw ODataQueryError(message: "The batch body holds no part delimited by '--\(boundary)'.") }
        var result: [[UInt8]] = []
        for (position, start) in starts.enumerated() {
            var contentStart = start + delimiter.count
            if body[contentStart...].starts(with: Array("--".utf8)) { break }
            while contentStart < body.count, body[contentStart] == 0x0D || body[contentStart] == 0x0A { contentStart += 1 }
            var end = position + 1 < starts.count ? starts[position + 1] : body.count
            if end > contentStart, body[end - 1] == 0x0A { end -= 1 }
            if end > contentStart, body[end - 1] == 0x0D { end -= 1 }
            result.append(Array(body[contentStart..<max(contentStart, end)]))
        }
        return result
    }

    /// Splits at the first empty line: the header lines and what follows.
    private static func splitHead(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        for index in 0..<bytes.count {
            if bytes[index...].starts(with: [0x0D, 0x0A, 0x0D, 0x0A]) { return (Array(bytes[..<index]), Array(bytes[(index + 4)...])) }
            if bytes[index...].starts(with: [0x0A, 0x0A]) { return (Array(bytes[..<index]), Array(bytes[(index + 2)...])) }
        }
        return (bytes, [])
    }

    private static func header(_ name: String, in head: [UInt8]) -> String? {
        for line in String(decoding: head, as: UTF8.self).components(separatedBy: .newlines) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(name) == .orderedSame {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    fileprivate static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        default: return "Status"
        }
    }
}

extension SimulatorCore {
    /// `POST /data/$batch`: each changeset applied all-or-nothing; the batch answers 200 whatever its parts did.
    func handleBatch(headers: [(name: String, value: String)], body: [UInt8]) -> SimulatedResponse {
        let contentType = headers.first { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }?.value
        guard let boundary = BatchMultipart.boundary(of: contentType) else {
            return ODataErrorBody.response(400, message: "The batch request must have a 'Content-Type' header of 'multipart/mixed' with a boundary.")
        }
        let parts: [BatchMultipart.Part]
        do {
            parts = try BatchMultipart.parse(body, boundary: boundary)
        } catch let error as ODataQueryError {
            return ODataErrorBody.response(400, message: error.message)
        } catch {
            return ODataErrorBody.response(400, message: "The batch body is not valid: \(error)")
        }
        let operations = parts.reduce(0) { count, part in
            if case .changeset(let operations) = part { return count + operations.count }
            return count + 1
        }
        guard operations <= 5000 else {
            return ODataErrorBody.response(400, message: "The batch holds \(operations) operations; the limit is 5000.")
        }
        var replies: [BatchMultipart.Reply] = []
        for part in parts {
            switch part {
            case .single(let operation):
                replies.append(.single(.init(contentID: operation.contentID, response: perform(operation))))
            case .changeset(let operations):
                replies.append(applyChangeset(operations))
            }
        }
        let responseBoundary = "batchresponse_\(UUID().uuidString.lowercased())"
        return SimulatedResponse(
            status: 200, headers: [("Content-Type", "multipart/mixed; boundary=\(responseBoundary)"), ("OData-Version", "4.0")],
            body: BatchMultipart.compose(replies, boundary: responseBoundary))
    }

    private func applyChangeset(_ operations: [BatchMultipart.Operation]) -> BatchMultipart.Reply {
        store.withLock { store in
            // Applied in place and undone on failure: journal lines are only ever appended in a changeset.
            let counts = store.tables.mapValues(\.count)
            let sequences = store.journalSequence
            let missing = store.missingPrivileges
            var answers: [BatchMultipart.Answer] = []
            for operation in operations {
                let (resource, _) = Self.resource(of: operation.url)
                let setName = String(resource.prefix { $0 != "(" && $0 != "/" })
                let response: SimulatedResponse
                if operation.method == "POST", let entity = Entities.named(setName), resource == setName {
                    response = createJournalLine(
                        entity: entity, body: operation.body, tables: &store.tables, journalSequence: &store.journalSequence,
                        missingPrivileges: missing)
                } else {
                    response = ODataErrorBody.response(
                        400,
                        message:
                            "Only POST to a journal entity set is supported in a changeset by the simulator; got \(operation.method) \(operation.url)."
                    )
                }
                guard (200..<300).contains(response.status) else {
                    // The whole changeset is rolled back and answered by the failing request alone.
                    for (name, count) in counts where store.tables[name]!.count > count { store.tables[name]!.truncate(to: count) }
                    store.journalSequence = sequences
                    return .single(.init(contentID: operation.contentID, response: response))
                }
                answers.append(.init(contentID: operation.contentID, response: response))
            }
            return .changeset(answers)
        }
    }

    private func perform(_ operation: BatchMultipart.Operation) -> SimulatedResponse {
        let (resource, query) = Self.resource(of: operation.url)
        return dispatch(method: operation.method, resource: resource, query: query, headers: operation.headers, body: operation.body)
    }

    /// The part of a batch operation's URL after `/data/`, and its query.
    private static func resource(of url: String) -> (String, String) {
        var path = url
        if let range = path.range(of: "/data/") { path = String(path[range.upperBound...]) }
        let query = path.firstIndex(of: "?").map { String(path[path.index(after: $0)...]) } ?? ""
        path = String(path.prefix { $0 != "?" })
        return (path.removingPercentEncoding ?? path, query)
    }
}
