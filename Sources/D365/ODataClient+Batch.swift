import Foundation
import HTTP
import JSON

extension ODataClient {
    /// Reads per `$batch`: far below F&O's 5,000 operations, and few enough that one slow read holds up little.
    public static let readsPerBatch = 100

    /// Reads `queries` many to a `$batch` request (each a GET outside any changeset), handing every page to `handle`
    /// with the position of its query.
    ///
    /// A batch only saves requests: a read whose part is not a clean page (throttled, failed, cut short, or a batch
    /// this F&O will not take) is read again on its own with the usual retries, and further pages follow the part's
    /// `@odata.nextLink` as ordinary reads, so no row is lost or handed over twice.
    public func readBatched(_ queries: [ODataQuery], handle: (Int, ODataPage) async throws -> Void) async throws {
        for start in stride(from: 0, to: queries.count, by: Self.readsPerBatch) {
            let chunk = Array(queries[start..<min(queries.count, start + Self.readsPerBatch)])
            let firstPages = try await firstPages(of: chunk)
            for (offset, query) in chunk.enumerated() {
                guard let page = firstPages[offset] else {
                    try await readAll(query) { try await handle(start + offset, $0) }
                    continue
                }
                try await handle(start + offset, page)
                if let next = page.nextLink {
                    try await readPages(from: next, entitySet: query.entitySet, seen: [page.url]) { try await handle(start + offset, $0) }
                }
            }
        }
    }

    /// The first page of each query from one `$batch`; `nil` where the batch did not give a usable one.
    private func firstPages(of queries: [ODataQuery]) async throws -> [ODataPage?] {
        let unanswered = [ODataPage?](repeating: nil, count: queries.count)
        guard queries.count > 1 else { return unanswered }
        let boundary = MultipartMixed.newBoundary()
        var body = ""
        for query in queries {
            body += "--\(boundary)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            body += "GET \(query.relativeURL) HTTP/1.1\r\nAccept: application/json\r\nOData-Version: 4.0\r\n\r\n"
        }
        body += "--\(boundary)--\r\n"
        return try await limiter.run {
            logger.debug("POST \(environmentURL)/data/$batch with \(queries.count) reads")
            let response = try await bearer.send(timeout: timeout, policy: RetryPolicy(maximumRetries: 4, mayRepeat: true), logger: logger) { token in
                MultipartMixed.batchRequest(environmentURL: environmentURL, token: token, boundary: boundary, body: Array(body.utf8))
            }
            switch response.status {
            case 200:
                return try pages(in: response, for: queries)
            case 401:
                throw D365Error.unauthorized(environment: environmentURL)
            default:
                logger.info("D365 answered \(response.status) to a batch of \(queries.count) reads; reading them one by one")
                return unanswered
            }
        }
    }

    /// The pages in a batch answer, in order; a missing privilege is thrown as for a single read.
    private func pages(in response: HTTPResponse, for queries: [ODataQuery]) throws -> [ODataPage?] {
        guard let boundary = MultipartMixed.boundary(of: response.header("Content-Type")) else { return Array(repeating: nil, count: queries.count) }
        let parts = MultipartMixed.parts(of: response.body, boundary: boundary)
        return try queries.enumerated().map { index, query in
            guard index < parts.count, let answer = MultipartMixed.response(in: parts[index].content) else { return nil }
            switch answer.status {
            case 200: return Self.page(answer.body, url: query.url(environmentURL: environmentURL))
            case 403: throw D365Error.forbidden(entity: query.entitySet, write: false, detail: Self.innerMessage(answer.body))
            default: return nil
            }
        }
    }
}
