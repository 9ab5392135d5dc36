import Foundation

/// The identities the simulated Entra ID tenant knows, and the tokens it has issued.
struct EntraState {
    struct IssuedToken {
        let audience: String
        let clientID: String
        var expiresAt: Date
    }

    var tenantID: String
    var tenantDomain: String
    var clientID: String
    var clientSecret: String
    var clientSecretExpired: Bool
    /// Whether the app is listed in F&O's "Microsoft Entra ID applications" (SysAADClientTable).
    var appRegisteredInD365: Bool
    var tokenLifetimeSeconds: Int
    /// Certificates registered with the app, for client assertions.
    var clientCertificates: [RegisteredCertificate]
    /// The `jti` of every client assertion accepted: one is good once.
    var usedAssertionIDs = Set<String>()
    var issued: [String: IssuedToken] = [:]
    var issuedCount = 0

    /// Checks a bearer token the way F&O does: issued, unexpired, for exactly F&O's audience, by an app F&O knows.
    func accepts(authorization: String?, d365Audience: String, now: Date) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        guard let token = issued[String(authorization.dropFirst(7))] else { return false }
        return token.expiresAt > now && token.audience == d365Audience && appRegisteredInD365
    }

    func knowsTenant(_ tenant: String) -> Bool {
        tenant.caseInsensitiveCompare(tenantID) == .orderedSame || tenant.caseInsensitiveCompare(tenantDomain) == .orderedSame
    }
}

/// The Entra ID token endpoints, v2.0 (`scope`) and v1 (`resource`), with the real error shapes and AADSTS codes.
struct EntraService {
    /// The audience F&O accepts: its own base URL, lower case, no trailing slash.
    let d365Audience: String
    /// The URL of the token endpoint asked, which a client assertion's audience must be.
    let tokenEndpoint: String

    func token(tenant: String, version: TokenEndpointVersion, request: SimulatedRequest, state: inout EntraState, now: Date) -> SimulatedResponse {
        guard request.method == "POST" else {
            return error(405, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a \(request.method) request.")
        }
        guard state.knowsTenant(tenant) else {
            return error(
                400, "invalid_request", 90002,
                "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
        }
        let form = Dictionary(FormEncoding.decode(String(decoding: request.body, as: UTF8.self)), uniquingKeysWith: { first, _ in first })
        guard let grantType = form["grant_type"] else {
            return error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        }
        guard grantType == "client_credentials" else {
            return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '\(grantType)'.")
        }
        var clientID = form["client_id"]
        var secret = form["client_secret"]
        if let basic = Self.basicCredentials(request.header("Authorization")) {
            clientID = clientID ?? basic.0
            secret = secret ?? basic.1
        }
        guard let clientID else {
            return error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
        }
        guard clientID.caseInsensitiveCompare(state.clientID) == .orderedSame else {
            return error(
                400, "unauthorized_client", 700016,
                "Application with identifier '\(clientID)' was not found in the directory '\(state.tenantDomain)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            )
        }
        if let refused = refusal(ofCredentialIn: form, secret: secret, clientID: clientID, state: &state, now: now) { return refused }
        let audience: String
        switch self.audience(asked: form, version: version) {
        case .success(let asked): audience = asked
        case .failure(let refused): return refused.response
        }
        guard Self.sameResource(audience, d365Audience) else {
            return error(
                400, "invalid_resource", 500011,
                "The resource principal named \(audience) was not found in the tenant named \(state.tenantDomain). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
            )
        }
        state.issuedCount += 1
        let token = Self.makeToken(
            audience: audience, tenant: state.tenantID, clientID: clientID, serial: state.issuedCount, now: now, lifetime: state.tokenLifetimeSeconds)
        state.issued[token] = EntraState.IssuedToken(
            audience: audience, clientID: clientID, expiresAt: now.addingTimeInterval(TimeInterval(state.tokenLifetimeSeconds)))
        var body: [String: Any] = [
            "token_type": "Bearer", "expires_in": state.tokenLifetimeSeconds, "ext_expires_in": state.tokenLifetimeSeconds, "access_token": token,
        ]
        if version == .v1 {
            body["resource"] = audience
            body["expires_on"] = String(Int(now.timeIntervalSince1970) + state.tokenLifetimeSeconds)
            body["not_before"] = String(Int(now.timeIntervalSince1970))
        }
        return .json(200, object: body, headers: [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")])
    }

    /// The refusal of the client's proof (a client assertion, or the secret), or `nil` when Entra ID would take it.
    private func refusal(ofCredentialIn form: [String: String], secret: String?, clientID: String, state: inout EntraState, now: Date)
        -> SimulatedResponse?
    {
        if let assertion = form["client_assertion"] {
            return accepts(assertion: assertion, type: form["client_assertion_type"], clientID: clientID, state: &state, now: now)
        }
        guard let secret, !secret.isEmpty else {
            return error(
                400, "invalid_request", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        }
        guard secret == state.clientSecret else {
            return error(
                401, "invalid_client", 7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientID)'."
            )
        }
        guard !state.clientSecretExpired else {
            return error(
                401, "invalid_client", 7000222,
                "The provided client secret keys for app '\(clientID)' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
            )
        }
        return nil
    }

    /// What the token is asked for: the v2.0 endpoint's `scope` without `/.default`, or v1's `resource`.
    private func audience(asked form: [String: String], version: TokenEndpointVersion) -> Result<String, Refused> {
        func refuse(_ status: Int, _ code: String, _ aadsts: Int, _ text: String) -> Result<String, Refused> {
            .failure(Refused(response: error(status, code, aadsts, text)))
        }
        switch version {
        case .v2:
            if form["resource"] != nil {
                return refuse(400, "invalid_request", 901002, "The 'resource' request parameter isn't supported.")
            }
            guard let scope = form["scope"], !scope.isEmpty else {
                return refuse(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
            }
            guard scope.hasSuffix("/.default"), !scope.contains(" ") else {
                return refuse(
                    400, "invalid_scope", 70011,
                    "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope \(scope) is not valid. The .default scope is required for the client credentials flow."
                )
            }
            return .success(String(scope.dropLast("/.default".count)))
        case .v1:
            guard let resource = form["resource"], !resource.isEmpty else {
                return refuse(400, "invalid_request", 900144, "The request body must contain the following parameter: 'resource'.")
            }
            return .success(resource)
        }
    }

    /// An Entra ID error answer, as a failure.
    private struct Refused: Error {
        let response: SimulatedResponse
    }

    /// The refusal of a client assertion, or `nil` when Entra ID would take it (and its `jti` is then spent).
    private func accepts(assertion: String, type: String?, clientID: String, state: inout EntraState, now: Date) -> SimulatedResponse? {
        guard type == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
            return error(
                400, "invalid_request", 50027,
                "Invalid JWT token: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
        }
        let check = ClientAssertionCheck(certificates: state.clientCertificates, clientID: state.clientID, tokenEndpoint: tokenEndpoint)
        do {
            let jti = try check.check(assertion, now: now)
            guard state.usedAssertionIDs.insert(jti).inserted else {
                return error(
                    401, "invalid_client", nil, "The client assertion was used before (its jti is spent): the simulator takes each assertion once.")
            }
            return nil
        } catch {
            return self.error(401, "invalid_client", error.code, error.text)
        }
    }

    private func error(_ status: Int, _ code: String, _ aadsts: Int?, _ text: String) -> SimulatedResponse {
        let trace = UUID().uuidString.lowercased()
        let correlation = UUID().uuidString.lowercased()
        let timestamp = ISO8601DateFormatter().string(from: Date())
        var body: [String: Any] = [
            "error": code,
            "error_description":
                "\(aadsts.map { "AADSTS\($0): " } ?? "")\(text) Trace ID: \(trace) Correlation ID: \(correlation) Timestamp: \(timestamp)",
            "timestamp": timestamp,
            "trace_id": trace,
            "correlation_id": correlation,
        ]
        if let aadsts {
            body["error_codes"] = [aadsts]
            body["error_uri"] = "https://login.microsoftonline.com/error?code=\(aadsts)"
        }
        return .json(status, object: body)
    }

    /// F&O compares the audience exactly: a trailing slash or upper case makes a token useless (since 10.0.39).
    private static func sameResource(_ audience: String, _ expected: String) -> Bool {
        func trimmed(_ text: String) -> String { (text.hasSuffix("/") ? String(text.dropLast()) : text).lowercased() }
        return trimmed(audience) == trimmed(expected)
    }

    private static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (FormEncoding.unescape(String(text[..<colon])), FormEncoding.unescape(String(text[text.index(after: colon)...])))
    }

    /// A token shaped like Entra's (a JWT with `aud`, `tid`, `appid`, `exp`), unique per issue.
    private static func makeToken(audience: String, tenant: String, clientID: String, serial: Int, now: Date, lifetime: Int) -> String {
        func base64URL(_ object: [String: Any]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let issuedAt = Int(now.timeIntervalSince1970)
        let header = base64URL(["typ": "JWT", "alg": "RS256", "kid": "simulator"])
        let claims = base64URL([
            "aud": audience, "iss": "https://sts.windows.net/\(tenant)/", "iat": issuedAt, "nbf": issuedAt,
            "exp": issuedAt + lifetime, "appid": clientID, "tid": tenant, "oid": UUID().uuidString.lowercased(),
            "jti": "\(serial)-\(UUID().uuidString)",
        ])
        let signature = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "\(header).\(claims).\(signature)"
    }
}

enum TokenEndpointVersion {
    case v1, v2
}
