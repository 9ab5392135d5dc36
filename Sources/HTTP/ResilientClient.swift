import Foundation
import Logging
import Stopping
import Synchronization

/// How long one run may spend waiting on `Retry-After`, shared by every request of the run.
public final class WaitBudget: Sendable {
    private let remaining: Mutex<Double>
    public let total: TimeInterval

    public init(seconds: TimeInterval) {
        total = seconds
        remaining = Mutex(seconds)
    }

    /// Takes `seconds` from the budget; `false`, taking nothing, when not that much is left.
    func spend(_ seconds: TimeInterval) -> Bool {
        remaining.withLock { left in
            guard seconds <= left else { return false }
            left -= seconds
            return true
        }
    }

    public var secondsLeft: TimeInterval { remaining.withLock { $0 } }
}

/// The run's budget for waiting on `Retry-After` ran out: stop, leave the work queued, exit 75.
public struct WaitBudgetExhausted: Error, CustomStringConvertible, Sendable {
    public let location: String
    public let retryAfter: TimeInterval
    public let budget: TimeInterval

    public var description: String {
        "\(location) asks to wait \(Int(retryAfter)) s more (429/503 with Retry-After), beyond what is left of this run's "
            + "waiting budget of \(Int(budget)) s (D365MM_RETRY_BUDGET_SECONDS); the work stays queued for the next run"
    }
}

/// What to do with an answer.
public enum RetryDisposition: Sendable, Equatable {
    /// Hand it to the caller.
    case done
    /// Wait what `Retry-After` says (or the fallback), then send again.
    case retryAfter(TimeInterval?)
    /// Wait with capped exponential backoff and jitter, then send again.
    case backoff
}

/// When and how often a request is sent again.
public struct RetryPolicy: Sendable {
    /// Sends after the first one, for 5xx answers and lost connections.
    public var maximumRetries: Int
    public var baseDelay: TimeInterval
    public var maximumDelay: TimeInterval
    /// Whether a request that may have reached the server can be sent again: true for reads and for writes that
    /// carry an idempotency key; false for writes that would be duplicated.
    public var mayRepeat: Bool
    /// The wait when a 429 or 503 has no `Retry-After` (Microsoft's sample waits 30 s).
    public var retryAfterFallback: TimeInterval
    /// Whether waits for `Retry-After` count against ``maximumRetries`` too (MachineMetrics, whose retries the operator
    /// sets in `MM_API_RETRY_ATTEMPTS`); otherwise only the run's waiting budget bounds them (D365's throttling, which
    /// tells clients to wait and come back).
    public var countsRetryAfter: Bool

    public init(
        maximumRetries: Int, baseDelay: TimeInterval = 0.5, maximumDelay: TimeInterval = 30, mayRepeat: Bool,
        retryAfterFallback: TimeInterval = 30, countsRetryAfter: Bool = false
    ) {
        self.maximumRetries = maximumRetries
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.mayRepeat = mayRepeat
        self.retryAfterFallback = retryAfterFallback
        self.countsRetryAfter = countsRetryAfter
    }

    /// 429 and 503 wait for `Retry-After`; 408, 500, 502 and 504 back off; everything else is final.
    public static func standardDisposition(_ response: HTTPResponse) -> RetryDisposition {
        switch response.status {
        case 429, 503: return .retryAfter(RetryAfter.seconds(response.header("Retry-After")))
        case 408, 500, 502, 504: return .backoff
        default: return .done
        }
    }

    /// The wait before retry number `attempt` (1, 2, …): full jitter under a doubling, capped ceiling.
    func backoff(attempt: Int) -> TimeInterval {
        let ceiling = min(maximumDelay, baseDelay * pow(2, Double(attempt - 1)))
        return Double.random(in: ceiling / 2...ceiling)
    }
}

/// Sends requests through a transport, retrying what is safe to retry, within the run's waiting budget; once the run
/// is asked to stop, no request starts and no wait goes on (``StopRequest``).
public struct ResilientClient: Sendable {
    public let transport: any HTTPTransport
    public let budget: WaitBudget
    public let stop: StopRequest
    private let sleep: @Sendable (TimeInterval) async throws -> Void

    /// `sleep` waits between tries; by default it ends early when the run is asked to stop.
    public init(
        transport: any HTTPTransport, budget: WaitBudget, stop: StopRequest = StopRequest(),
        sleep: (@Sendable (TimeInterval) async throws -> Void)? = nil
    ) {
        self.transport = transport
        self.budget = budget
        self.stop = stop
        self.sleep = sleep ?? { try await stop.sleep(for: $0) }
    }

    /// Sends `request`; returns the first final answer, or the last answer once retries run out.
    /// Throws the transport's error when no answer came, and ``WaitBudgetExhausted`` when waiting would overspend.
    public func send(
        _ request: HTTPRequest, timeout: Duration, policy: RetryPolicy, logger: Logger,
        disposition: (HTTPResponse) -> RetryDisposition = RetryPolicy.standardDisposition
    ) async throws -> HTTPResponse {
        let location = "\(request.method) \(HTTPTransportError.location(of: request.url))"
        var retries = 0
        var log = RetryLog(logger: logger)
        defer { log.finish() }
        while true {
            try stop.check()
            let response: HTTPResponse
            do {
                response = try await transport.send(request, timeout: timeout)
            } catch let error as HTTPTransportError {
                // A connection that was never made cannot have delivered the request; anything later might have.
                let safe = (policy.mayRepeat || error.kind == .connectionFailed) && error.mayHeal
                guard safe, retries < policy.maximumRetries else { throw error }
                retries += 1
                let wait = policy.backoff(attempt: retries)
                log.retrying(error.description, wait: wait, retry: retries, of: policy.maximumRetries)
                try await sleep(wait)
                continue
            }
            switch disposition(response) {
            case .done:
                return response
            case .retryAfter(let seconds):
                if policy.countsRetryAfter {
                    guard retries < policy.maximumRetries else { return response }
                    retries += 1
                }
                let wait = seconds ?? policy.retryAfterFallback
                guard budget.spend(wait) else {
                    throw WaitBudgetExhausted(location: location, retryAfter: wait, budget: budget.total)
                }
                log.waitingAsAsked(
                    "\(location) answered \(response.status)", wait: wait,
                    retry: policy.countsRetryAfter ? retries : nil, of: policy.maximumRetries)
                try await sleep(wait)
            case .backoff:
                guard retries < policy.maximumRetries else { return response }
                retries += 1
                let wait = policy.backoff(attempt: retries)
                log.retrying("\(location) answered \(response.status)", wait: wait, retry: retries, of: policy.maximumRetries)
                try await sleep(wait)
            }
        }
    }

    /// The log lines of one request's retries: the first of a kind in full, the same again only counted, and a line
    /// that sums them up when the kind changes or the request is done; a throttled run once wrote one line per second
    /// for five minutes.
    private struct RetryLog {
        let logger: Logger
        private var repeated: (what: String, times: Int, waited: TimeInterval)?

        init(logger: Logger) { self.logger = logger }

        mutating func retrying(_ what: String, wait: TimeInterval, retry: Int, of maximum: Int) {
            note(what, wait: wait, level: .warning, detail: "trying again in \(ResilientClient.format(wait)) s (retry \(retry) of \(maximum))")
        }

        mutating func waitingAsAsked(_ what: String, wait: TimeInterval, retry: Int?, of maximum: Int) {
            let count = retry.map { " (retry \($0) of \(maximum))" } ?? ""
            note(what, wait: wait, level: .notice, detail: "waiting \(ResilientClient.format(wait)) s as Retry-After asks\(count)")
        }

        private mutating func note(_ what: String, wait: TimeInterval, level: Logger.Level, detail: String) {
            if let current = repeated, current.what == what {
                repeated = (what, current.times + 1, current.waited + wait)
                return
            }
            finish()
            logger.log(level: level, "\(what); \(detail)")
            repeated = (what, 1, wait)
        }

        /// Sums up the repeats of the last kind, if there were any.
        mutating func finish() {
            if let current = repeated, current.times > 1 {
                logger.notice("\(current.what) again, \(current.times - 1) more time(s); \(ResilientClient.format(current.waited)) s waited in all")
            }
            repeated = nil
        }
    }

    static func format(_ seconds: TimeInterval) -> String {
        seconds >= 10 ? String(Int(seconds.rounded())) : String(format: "%.1f", seconds)
    }
}

/// `Retry-After` as seconds or an HTTP date.
public enum RetryAfter {
    public static func seconds(_ header: String?, now: Date = Date()) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSince(now)) }
    }
}
