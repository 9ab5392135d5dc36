import Failures
import Foundation
import HTTP
import JSON
import Logging
import Vocabulary

/// Writes production journal lines with OData `$batch`: one changeset per journal, so that each journal is all or
/// nothing, and every part's status read (the batch answers 200 whatever its parts did).
public struct JournalWriter: Sendable {
    /// One journal to create: its lines, each a body for `entitySet`, written in one changeset.
    public struct Journal: Sendable {
        public let entitySet: EntitySet
        public let lines: [JSONObject]

        public init(entitySet: EntitySet, lines: [JSONObject]) {
            self.entitySet = entitySet
            self.lines = lines
        }
    }

    /// What D365 did with one journal.
    public enum Outcome: Sendable, Equatable {
        /// Created: the journal number and each line's number, in order.
        case created(journalNumber: String, lineNumbers: [Decimal])
        /// Refused for good (F&O's validation, `AxODataWriteException`): the Infolog text.
        case refused(status: Int, message: String)
        /// Refused for now (a 5xx other than a validation failure, throttling inside the batch).
        case failedTemporarily(status: Int, message: String)
    }

    /// D365 may or may not have committed the batch (no complete answer came): only reading D365 can tell.
    public struct OutcomeUnknown: CategorizedError, Sendable {
        public let reason: String
        public var category: FailureCategory { .temporary }
        public var description: String {
            "no complete answer to the journal batch (\(reason)); D365 may have written it: the next run's reconciliation reads D365 before writing anything again"
        }
    }

    private let environmentURL: String
    private let bearer: BearerSender
    private let timeout: Duration
    private let logger: Logger

    public init(environmentURL: String, tokens: EntraTokenProvider, client: ResilientClient, timeout: Duration = .seconds(120), logger: Logger) {
        self.environmentURL = environmentURL
        bearer = BearerSender(tokens: tokens, client: client, service: "D365")
        self.timeout = timeout
        self.logger = logger
    }

    /// Writes `journals` in one `$batch`; returns an outcome per journal, in order.
    public func write(_ journals: [Journal]) async throws -> [Outcome] {
        guard !journals.isEmpty else { return [] }
        let boundary = MultipartMixed.newBoundary()
        let body = Self.batchBody(journals, boundary: boundary)
        // A write is never re-sent once it may have reached D365: only throttling (not processed) is waited out, and
        // an answer lost on the way leaves the journals' fate unknown.
        let response = try await bearer.send(
            timeout: timeout, policy: RetryPolicy(maximumRetries: 0, mayRepeat: false), logger: logger,
            disposition: { $0.status == 429 ? .retryAfter(RetryAfter.seconds($0.header("Retry-After"))) : .done },
            unanswered: { $0.kind == .connectionFailed ? $0 as any Error : OutcomeUnknown(reason: $0.description) }
        ) { token in
            MultipartMixed.batchRequest(environmentURL: environmentURL, token: token, boundary: boundary, body: body)
        }
        switch response.status {
        case 200:
            guard let outcomes = Self.outcomes(response, count: journals.count) else {
                throw OutcomeUnknown(reason: "the batch answer could not be read")
            }
            // A missing privilege refuses every journal alike: it is the run's problem, not the tickets'.
            for (index, outcome) in outcomes.enumerated() {
                if case .refused(let status, let message) = outcome, status == 401 || status == 403 {
                    throw D365Error.forbidden(entity: journals[index].entitySet, write: true, detail: message)
                }
            }
            return outcomes
        case 401:
            throw D365Error.unauthorized(environment: environmentURL)
        case 403:
            throw D365Error.forbidden(entity: journals[0].entitySet, write: true, detail: ODataClient.innerMessage(response.body))
        case 503:
            throw D365Error(
                category: .temporary, message: "D365 is unavailable (503) for the journal batch; nothing was written; the next run tries again.",
                status: 503, detail: ODataClient.innerMessage(response.body))
        case 500..<600:
            throw OutcomeUnknown(reason: "HTTP \(response.status) for the whole batch")
        default:
            throw D365Error(
                category: .unexpected, message: "D365 refused the journal batch (HTTP \(response.status)).",
                status: response.status, detail: ODataClient.innerMessage(response.body))
        }
    }

    /// Posts journals with `POST {EntitySet}/Microsoft.Dynamics.DataEntities.{action}` and
    /// `{"dataAreaId", "JournalNumber"}`, many to one `$batch` (each its own request, outside any changeset).
    /// Returns the reason D365 gives for each journal it did not post; a journal not named was posted.
    public func post(journalNumbers: [String], dataAreaID: String, entitySet: EntitySet, action: String) async throws -> [String: String] {
        guard !journalNumbers.isEmpty else { return [:] }
        let boundary = MultipartMixed.newBoundary()
        var text = ""
        for (index, journal) in journalNumbers.enumerated() {
            let body = JSONEncoding.string(.object(["dataAreaId": .string(dataAreaID), "JournalNumber": .string(journal)]))
            text += "--\(boundary)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: \(index + 1)\r\n\r\n"
            text +=
                "POST \(entitySet.name)/Microsoft.Dynamics.DataEntities.\(action) HTTP/1.1\r\nContent-Type: application/json; charset=utf-8\r\nAccept: application/json\r\n\r\n"
            text += body + "\r\n"
        }
        text += "--\(boundary)--\r\n"
        // Posting again is harmless (an already posted journal is refused, and reconciliation reads its state).
        let response = try await bearer.send(timeout: timeout, policy: RetryPolicy(maximumRetries: 2, mayRepeat: true), logger: logger) { token in
            MultipartMixed.batchRequest(environmentURL: environmentURL, token: token, boundary: boundary, body: Array(text.utf8))
        }
        switch response.status {
        case 200:
            guard let boundary = MultipartMixed.boundary(of: response.header("Content-Type")) else {
                throw D365Error(
                    category: .temporary, message: "D365's answer to the posting batch could not be read; the next run tries again.", status: 200,
                    detail: nil)
            }
            let parts = MultipartMixed.parts(of: response.body, boundary: boundary)
            var problems: [String: String] = [:]
            for (index, journal) in journalNumbers.enumerated() {
                guard index < parts.count, let answer = MultipartMixed.response(in: parts[index].content) else {
                    problems[journal] = "no answer for this journal in the posting batch"
                    continue
                }
                if answer.status == 401 || answer.status == 403 {
                    throw D365Error.forbidden(entity: entitySet, write: true, detail: ODataClient.innerMessage(answer.body))
                }
                if !(200..<300).contains(answer.status) { problems[journal] = ODataClient.innerMessage(answer.body) ?? "HTTP \(answer.status)" }
            }
            return problems
        case 401: throw D365Error.unauthorized(environment: environmentURL)
        case 403: throw D365Error.forbidden(entity: entitySet, write: true, detail: ODataClient.innerMessage(response.body))
        default:
            let problem = ODataClient.innerMessage(response.body) ?? "HTTP \(response.status)"
            return Dictionary(uniqueKeysWithValues: journalNumbers.map { ($0, problem) })
        }
    }

    static func batchBody(_ journals: [Journal], boundary: String) -> [UInt8] {
        var text = ""
        var contentID = 0
        for (index, journal) in journals.enumerated() {
            let changeset = "changeset_\(index + 1)_\(boundary.suffix(12))"
            text += "--\(boundary)\r\nContent-Type: multipart/mixed; boundary=\(changeset)\r\n\r\n"
            for line in journal.lines {
                contentID += 1
                text += "--\(changeset)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: \(contentID)\r\n\r\n"
                text += "POST \(journal.entitySet.name) HTTP/1.1\r\nContent-Type: application/json; charset=utf-8\r\nAccept: application/json\r\n\r\n"
                text += JSONEncoding.string(.object(line)) + "\r\n"
            }
            text += "--\(changeset)--\r\n"
        }
        text += "--\(boundary)--\r\n"
        return Array(text.utf8)
    }

    /// Each changeset's outcome; `nil` when the answer does not have one part per journal.
    static func outcomes(_ response: HTTPResponse, count: Int) -> [Outcome]? {
        guard let boundary = MultipartMixed.boundary(of: response.header("Content-Type")) else { return nil }
        let parts = MultipartMixed.parts(of: response.body, boundary: boundary)
        guard parts.count == count else { return nil }
        var outcomes: [Outcome] = []
        for part in parts {
            if let inner = MultipartMixed.boundary(of: part.header("Content-Type")) {
                var numbers: [Decimal] = []
                var journal = ""
                for line in MultipartMixed.parts(of: part.content, boundary: inner) {
                    guard let answer = MultipartMixed.response(in: line.content), answer.status == 201,
                        let created = try? JSONParser.parse(answer.body), let number = created["JournalNumber"]?.stringValue,
                        let lineNumber = created["JournalLineNumber"]?.decimalValue
                    else { return nil }
                    journal = number
                    numbers.append(lineNumber)
                }
                outcomes.append(.created(journalNumber: journal, lineNumbers: numbers))
            } else {
                guard let answer = MultipartMixed.response(in: part.content) else { return nil }
                let message = ODataClient.innerMessage(answer.body) ?? "HTTP \(answer.status)"
                let validation = String(decoding: answer.body, as: UTF8.self).contains("AxODataWriteException")
                outcomes.append(
                    validation || (400..<500).contains(answer.status)
                        ? .refused(status: answer.status, message: message)
                        : .failedTemporarily(status: answer.status, message: message))
            }
        }
        return outcomes
    }
}
