import Foundation

/// One scripted misbehaviour: which requests it hits and what happens to them.
///
/// As flags: `--fault 'service=d365,path=ProductionOrderHeaders,status=429,retry-after=2,times=3'`.
/// In a scenario file: `{"faults": [{"service": "d365", "path": "ProductionOrderHeaders", "status": 429, "retryAfter": 2, "times": 3}]}`.
public struct FaultRule: Sendable, Equatable, Codable {
    /// The simulated service a request goes to.
    public enum Service: String, Sendable, Codable, CaseIterable {
        case entra, d365, mm, any
    }

    /// What the fault does.
    public enum Action: Sendable, Equatable {
        /// Answer with this status at once, without doing the work (429 and 503 carry `Retry-After`).
        case status(Int, retryAfterSeconds: Int?)
        /// Do the work, then answer late.
        case slow(seconds: Double)
        /// Hang up at once, without doing the work.
        case hangUp
        /// Do the work (commit a write), then hang up: the client never learns that it succeeded.
        case loseAnswer
        /// Do the work, then answer 200 with an HTML error page instead of JSON.
        case notJSON
        /// Do the work, then send only the first half of the body.
        case truncate
        /// Expire every access token this service has issued, then handle the request (which then gets a 401).
        case expireTokens
        /// Do the work, then point the page's `@odata.nextLink` back at the page itself: a server that loops.
        case loopNextLink
    }

    public var service: Service
    /// Only requests with this method (any when `nil`).
    public var method: String?
    /// Only requests whose path contains this text (any when `nil`).
    public var path: String?
    public var action: Action
    /// Matching requests to let through before the fault starts.
    public var after: Int
    /// How many matching requests it hits; `nil` means every one from then on.
    public var times: Int?

    public init(service: Service, method: String? = nil, path: String? = nil, action: Action, after: Int = 0, times: Int? = 1) {
        self.service = service
        self.method = method
        self.path = path
        self.action = action
        self.after = after
        self.times = times
    }

    func matches(service requestService: Service, method requestMethod: String, path requestPath: String) -> Bool {
        (service == .any || service == requestService)
            && (method.map { $0.caseInsensitiveCompare(requestMethod) == .orderedSame } ?? true)
            && (path.map { requestPath.contains($0) } ?? true)
    }

    // MARK: Text form

    /// Parses `key=value` pairs separated by commas: `service`, `method`, `path`, one of `status`, `slow`,
    /// `hang-up`, `lose-answer`, `not-json`, `truncate`, `expire-tokens`, and `retry-after`, `after`, `times`
    /// (`times=always` for every request).
    public init(parsing text: String) throws(SimulatorError) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            fields[parts[0].lowercased()] = parts.count > 1 ? parts[1] : ""
        }
        try self.init(fields: fields, source: "fault '\(text)'")
    }

    init(fields: [String: String], source: String) throws(SimulatorError) {
        func number(_ key: String) throws(SimulatorError) -> Int? {
            guard let text = fields[key] else { return nil }
            guard let value = Int(text), value >= 0 else { throw SimulatorError("\(source): \(key) must be a whole number, not '\(text)'") }
            return value
        }
        guard let serviceText = fields["service"] ?? Optional("any"), let service = Service(rawValue: serviceText.lowercased()) else {
            throw SimulatorError("\(source): service must be one of entra, d365, mm, any")
        }
        let action: Action
        if let status = try number("status") {
            guard (400...599).contains(status) else { throw SimulatorError("\(source): status must be between 400 and 599") }
            action = .status(status, retryAfterSeconds: try number("retry-after") ?? ((status == 429 || status == 503) ? 1 : nil))
        } else if let slow = fields["slow"] {
            guard let seconds = Double(slow), seconds >= 0 else { throw SimulatorError("\(source): slow must be a number of seconds") }
            action = .slow(seconds: seconds)
        } else if fields["hang-up"] != nil {
            action = .hangUp
        } else if fields["lose-answer"] != nil {
            action = .loseAnswer
        } else if fields["not-json"] != nil {
            action = .notJSON
        } else if fields["truncate"] != nil {
            action = .truncate
        } else if fields["expire-tokens"] != nil {
            action = .expireTokens
        } else if fields["loop-next-link"] != nil {
            action = .loopNextLink
        } else {
            throw SimulatorError(
                "\(source): say what happens: status=N, slow=SECONDS, hang-up, lose-answer, not-json, truncate, expire-tokens or loop-next-link")
        }
        let known: Set = [
            "service", "method", "path", "status", "retry-after", "slow", "hang-up", "lose-answer", "not-json", "truncate", "expire-tokens",
            "loop-next-link", "after", "times",
        ]
        if let unknown = fields.keys.first(where: { !known.contains($0) }) {
            throw SimulatorError("\(source): unknown key '\(unknown)'")
        }
        let times: Int?
        if fields["times"]?.lowercased() == "always" { times = nil } else { times = try number("times") ?? 1 }
        self.init(
            service: service, method: fields["method"]?.uppercased(), path: fields["path"], action: action,
            after: try number("after") ?? 0, times: times)
    }

    // MARK: Scenario-file form

    private enum CodingKeys: String, CodingKey {
        case service, method, path, status, retryAfter, slow, hangUp, loseAnswer, notJSON, truncate, expireTokens, loopNextLink, after, times
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var fields: [String: String] = [:]
        fields["service"] = try container.decodeIfPresent(String.self, forKey: .service)
        fields["method"] = try container.decodeIfPresent(String.self, forKey: .method)
        fields["path"] = try container.decodeIfPresent(String.self, forKey: .path)
        fields["status"] = try container.decodeIfPresent(Int.self, forKey: .status).map(String.init)
        fields["retry-after"] = try container.decodeIfPresent(Int.self, forKey: .retryAfter).map(String.init)
        fields["slow"] = try container.decodeIfPresent(Double.self, forKey: .slow).map { String($0) }
        for (key, name) in [
            (CodingKeys.hangUp, "hang-up"), (.loseAnswer, "lose-answer"), (.notJSON, "not-json"), (.truncate, "truncate"),
            (.expireTokens, "expire-tokens"),
            (.loopNextLink, "loop-next-link"),
        ]
        where try container.decodeIfPresent(Bool.self, forKey: key) == true {
            fields[name] = ""
        }
        fields["after"] = try container.decodeIfPresent(Int.self, forKey: .after).map(String.init)
        if let times = try? container.decodeIfPresent(Int.self, forKey: .times) {
            fields["times"] = String(times)
        } else if try container.decodeIfPresent(String.self, forKey: .times) == "always" {
            fields["times"] = "always"
        }
        try self.init(fields: fields.compactMapValues { $0 }, source: "scenario fault")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(service.rawValue, forKey: .service)
        try container.encodeIfPresent(method, forKey: .method)
        try container.encodeIfPresent(path, forKey: .path)
        switch action {
        case .status(let status, let retryAfter):
            try container.encode(status, forKey: .status)
            try container.encodeIfPresent(retryAfter, forKey: .retryAfter)
        case .slow(let seconds): try container.encode(seconds, forKey: .slow)
        case .hangUp: try container.encode(true, forKey: .hangUp)
        case .loseAnswer: try container.encode(true, forKey: .loseAnswer)
        case .notJSON: try container.encode(true, forKey: .notJSON)
        case .truncate: try container.encode(true, forKey: .truncate)
        case .expireTokens: try container.encode(true, forKey: .expireTokens)
        case .loopNextLink: try container.encode(true, forKey: .loopNextLink)
        }
        try container.encode(after, forKey: .after)
        if let times { try container.encode(times, forKey: .times) } else { try container.encode("always", forKey: .times) }
    }
}

/// The active fault rules and how far each has got.
struct FaultBook {
    private struct Entry {
        var rule: FaultRule
        var passed = 0
        var fired = 0
    }

    private var entries: [Entry] = []

    mutating func add(_ rules: [FaultRule]) { entries += rules.map { Entry(rule: $0) } }
    mutating func clear() { entries = [] }

    /// The action for this request, if a rule fires on it; counts the request against every matching rule.
    mutating func action(service: FaultRule.Service, method: String, path: String) -> FaultRule.Action? {
        for index in entries.indices where entries[index].rule.matches(service: service, method: method, path: path) {
            if entries[index].passed < entries[index].rule.after {
                entries[index].passed += 1
                continue
            }
            if let times = entries[index].rule.times, entries[index].fired >= times { continue }
            entries[index].fired += 1
            return entries[index].rule.action
        }
        return nil
    }

    /// How many times each rule has fired, in the order they were added.
    var firedCounts: [Int] { entries.map(\.fired) }
}
