import AsyncLimiting
import Foundation
import Redaction
import Synchronization

/// An access token kept until shortly before it expires, fetched anew by one caller at a time: when many
/// requests meet an expired or refused token together, one of them fetches the next. Each token joins the redactor
/// the moment it arrives, before anything could log it.
public final class TokenCache: Sendable {
    private let cached = Mutex<(token: String, refreshAt: Date)?>(nil)
    private let fetching = AsyncLimiter(limit: 1)
    private let redactor: Redactor

    public init(redactor: Redactor) {
        self.redactor = redactor
    }

    /// A token valid for a while yet and not `rejected` (one the service just answered 401 to); `fetch` returns
    /// a new token and its lifetime in seconds when there is none.
    public func token(replacing rejected: String?, fetch: () async throws -> (token: String, lifetime: TimeInterval)) async throws -> String {
        if let current = usable(besides: rejected) { return current }
        return try await fetching.run {
            if let current = usable(besides: rejected) { return current }
            let fresh = try await fetch()
            redactor.add(fresh.token)
            // Refresh ahead of expiry: five minutes early, or a tenth of the lifetime for short-lived tokens.
            let refreshAt = Date().addingTimeInterval(fresh.lifetime - min(300, fresh.lifetime / 10))
            cached.withLock { $0 = (fresh.token, refreshAt) }
            return fresh.token
        }
    }

    private func usable(besides rejected: String?) -> String? {
        guard let current = cached.withLock({ $0 }), current.refreshAt > Date(), current.token != rejected else { return nil }
        return current.token
    }
}
