import Foundation
import Synchronization

/// The simulated world and its request handling: routes each request to Entra ID, D365 F&O or
/// MachineMetrics, applies the scripted faults and keeps the request log.
final class SimulatorCore: Sendable {
    let store: Mutex<SimulatorStore>
    let queryCache = Mutex<[String: (version: Int, rows: [Int32])]>([:])
    let defaultCompany: String
    /// `http://127.0.0.1:PORT`, set once the server is bound.
    let baseURL: Mutex<String> = Mutex("")

    init(options: SimulatorOptions, clientCertificates: [RegisteredCertificate]) {
        store = Mutex(SimulatorStore(options: options, clientCertificates: clientCertificates))
        defaultCompany = options.defaultCompany
    }

    var base: String { baseURL.withLock { $0 } }

    func handle(_ request: SimulatedRequest) -> ResponsePlan {
        if request.path.hasPrefix("/_sim/") {
            return .respond(handleAdmin(request))
        }
        let service: FaultRule.Service
        if request.path == "/data" || request.path.hasPrefix("/data/") {
            service = .d365
        } else if request.path.hasPrefix("/mm/") {
            service = .mm
        } else {
            service = .entra
        }
        let fault = store.withLock { $0.faults.action(service: service, method: request.method, path: request.path + "?" + request.query) }
        var plan: ResponsePlan
        switch fault {
        case .status(let status, let retryAfter)?:
            plan = .respond(faultResponse(status: status, retryAfter: retryAfter, service: service))
        case .hangUp?:
            plan = ResponsePlan(.hangUp)
        default:
            if fault == .expireTokens { expireTokens(of: service) }
            plan = .respond(route(request, to: service))
            switch fault {
            case .slow(let seconds)?: plan.delay = .milliseconds(Int64(seconds * 1000))
            case .loseAnswer?: plan.outcome = .hangUp
            case .notJSON?:
                plan = .respond(
                    SimulatedResponse(
                        status: 200, headers: [("Content-Type", "text/html")],
                        body: Array("<html><body><h1>Service Unavailable</h1><p>The gateway returned an error page.</p></body></html>".utf8)))
            case .truncate?:
                if case .respond(var response) = plan.outcome {
                    response.body = Array(response.body.prefix(response.body.count / 2))
                    plan.outcome = .respond(response)
                }
            case .loopNextLink?:
                if case .respond(var response) = plan.outcome {
                    let itself = "\(base)\(request.path)" + (request.query.isEmpty ? "" : "?\(request.query)")
                    let text = String(decoding: response.body, as: UTF8.self)
                    response.body = Array(
                        text.replacingOccurrences(
                            of: #""@odata.nextLink":"[^"]*""#, with: "\"@odata.nextLink\":\"\(itself)\"",
                            options: .regularExpression
                        ).utf8)
                    plan.outcome = .respond(response)
                }
            default: break
            }
        }
        let status: Int? = if case .respond(let response) = plan.outcome { response.status } else { nil }
        let faultName = fault.map { String(describing: $0) }
        store.withLock {
            $0.requestLog.record(
                .init(service: service, method: request.method, path: request.path, query: request.query, status: status, fault: faultName))
        }
        return plan
    }

    private func route(_ request: SimulatedRequest, to service: FaultRule.Service) -> SimulatedResponse {
        switch service {
        case .d365: return handleData(request)
        case .mm: return store.withLock { MachineMetricsService().handle(request, state: &$0.machineMetrics, now: Date()) }
        default: return handleEntra(request)
        }
    }

    private func handleEntra(_ request: SimulatedRequest) -> SimulatedResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let discovery = OpenIDDiscovery(authority: base)
        if request.method == "GET" {
            if parts == ["common", "discovery", "instance"] { return discovery.instance(query: request.query) }
            if parts.count == 4, parts[1...] == ["v2.0", ".well-known", "openid-configuration"] {
                return store.withLock { discovery.configuration(tenant: parts[0], version: .v2, state: $0.entra) }
            }
            if parts.count == 3, parts[1...] == [".well-known", "openid-configuration"] {
                return store.withLock { discovery.configuration(tenant: parts[0], version: .v1, state: $0.entra) }
            }
        }
        let version: TokenEndpointVersion
        if parts.count == 4, parts[1] == "oauth2", parts[2] == "v2.0", parts[3] == "token" {
            version = .v2
        } else if parts.count == 3, parts[1] == "oauth2", parts[2] == "token" {
            version = .v1
        } else {
            return .text(404, "Not Found")
        }
        let service = EntraService(d365Audience: base.lowercased(), tokenEndpoint: base + request.path)
        return store.withLock { service.token(tenant: parts[0], version: version, request: request, state: &$0.entra, now: Date()) }
    }

    func expireTokens(of service: FaultRule.Service) {
        let past = Date(timeIntervalSince1970: 0)
        store.withLock { store in
            if service == .d365 || service == .entra || service == .any {
                for key in store.entra.issued.keys { store.entra.issued[key]!.expiresAt = past }
            }
            if service == .mm || service == .any {
                for key in store.machineMetrics.issued.keys { store.machineMetrics.issued[key] = past }
            }
        }
    }

    private func faultResponse(status: Int, retryAfter: Int?, service: FaultRule.Service) -> SimulatedResponse {
        var response: SimulatedResponse
        switch (service, status) {
        case (.d365, 429):
            response = ODataErrorBody.response(
                429, message: "This request could not be processed at this time due to system experiencing high resource utilization.")
        case (.d365, _):
            response = ODataErrorBody.response(status, message: "The service is temporarily unavailable (simulated \(status)).")
        case (.mm, _):
            response = .json(status, object: ["code": status == 429 ? "TooManyRequests" : "ServiceUnavailable", "message": "Simulated \(status)."])
        default:
            response = .json(
                status,
                object: [
                    "error": "temporarily_unavailable",
                    "error_description": "AADSTS50196: The server is temporarily unavailable (simulated \(status)).", "error_codes": [50196],
                ])
        }
        if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
        return response
    }
}
