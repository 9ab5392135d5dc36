import Foundation
import HTTP
import Simulator

/// Runs `body` with a simulator on loopback and an HTTP client, shutting both down afterwards.
public func withSimulator<T>(
    _ configure: (inout SimulatorOptions) -> Void = { _ in },
    _ body: (SimulatorSession) async throws -> T
) async throws -> T {
    var options = SimulatorOptions()
    options.dataSet.orders = 120
    configure(&options)
    let simulator = try await Simulator.start(options)
    // A world over TLS is reached as a connector reaches it: trusting its CA, through its proxy.
    let caFile = simulator.certificateAuthorityPEM.map { pem in
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("d365mm-simulator-ca-\(UUID().uuidString).pem").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(pem.utf8))
        return path
    }
    defer { if let caFile { try? FileManager.default.removeItem(atPath: caFile) } }
    let proxy = simulator.proxy.map { proxy in
        HTTPProxy(host: "127.0.0.1", port: proxy.port, username: options.proxy?.user, password: options.proxy?.password, variable: "HTTPS_PROXY")
    }
    let client = try HTTPClient(options: NetworkOptions(proxy: { _, _ in proxy }, additionalCAFile: caFile))
    let session = SimulatorSession(simulator: simulator, client: client, certificateAuthorityFile: caFile)
    do {
        let result = try await body(session)
        await client.shutdown()
        await simulator.shutdown()
        return result
    } catch {
        await client.shutdown()
        await simulator.shutdown()
        throw error
    }
}

/// A simulator and a client to talk to it as the connector would, through real HTTP.
public struct SimulatorSession: Sendable {
    public let simulator: Simulator
    public let client: HTTPClient
    /// The simulator's CA certificate as a file, for a world served over TLS.
    public let certificateAuthorityFile: String?

    /// The configuration value `key` of ``Simulator/connectorEnvironment``.
    public func setting(_ key: String) -> String {
        simulator.connectorEnvironment.first { $0.key == key }!.value
    }

    public func send(_ request: HTTPRequest, timeout: Duration = .seconds(30)) async throws -> HTTPResponse {
        try await client.send(request, timeout: timeout)
    }

    /// Asks Entra ID for a token with client credentials; returns the whole answer.
    public func requestToken(
        tenant: String? = nil, clientID: String? = nil, secret: String? = nil, scope: String? = nil, version2: Bool = true,
        resource: String? = nil
    ) async throws -> HTTPResponse {
        var form = [
            ("grant_type", "client_credentials"), ("client_id", clientID ?? setting("D365_CLIENT_ID")),
            ("client_secret", secret ?? setting("D365_CLIENT_SECRET")),
        ]
        if version2 { form.append(("scope", scope ?? setting("D365_ENVIRONMENT_HOST") + "/.default")) }
        if let resource { form.append(("resource", resource)) }
        let path = version2 ? "oauth2/v2.0/token" : "oauth2/token"
        return try await send(
            HTTPRequest(
                method: "POST", url: "\(setting("AZURE_AUTHORITY_HOST"))/\(tenant ?? setting("D365_TENANT_ID"))/\(path)",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(form.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&").utf8)
            ))
    }

    /// A valid D365 access token.
    public func d365Token() async throws -> String {
        let response = try await requestToken()
        guard let token = response.jsonObject?["access_token"] as? String else {
            throw HarnessError("no token: \(response.status) \(response.text)")
        }
        return token
    }

    /// `GET /data/{resource}` with the query parameters given (encoded here) and a bearer token.
    public func odata(_ resource: String, _ query: [(String, String)] = [], token: String?) async throws -> HTTPResponse {
        try await send(HTTPRequest(url: odataURL(resource, query), headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []))
    }

    public func odataURL(_ resource: String, _ query: [(String, String)] = []) -> String {
        let base = "\(setting("D365_ENVIRONMENT_HOST"))/data/\(resource)"
        return query.isEmpty ? base : base + "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    /// Follows `@odata.nextLink` from the first page to the last; returns every row and the number of pages.
    public func readAll(_ resource: String, _ query: [(String, String)], token: String) async throws -> (rows: [[String: Any]], pages: Int) {
        var url: String? = odataURL(resource, query)
        var rows: [[String: Any]] = []
        var pages = 0
        while let next = url {
            let response = try await send(HTTPRequest(url: next, headers: [("Authorization", "Bearer \(token)")]))
            guard response.status == 200, let object = response.jsonObject, let value = object["value"] as? [[String: Any]] else {
                throw HarnessError("page \(pages + 1) failed: \(response.status) \(response.text.prefix(300))")
            }
            rows += value
            pages += 1
            url = object["@odata.nextLink"] as? String
            if pages > 10_000 { throw HarnessError("nextLink never ends") }
        }
        return (rows, pages)
    }

    /// A MachineMetrics access token.
    public func machineMetricsToken() async throws -> String {
        let response = try await send(
            .json(
                method: "POST", url: setting("MAPPING_AUTH_SERVICE_URL") + "/v1/token",
                body: JSON.bytes(["token": setting("MAPPING_SERVICE_TOKEN")])))
        guard let token = response.jsonObject?["accessToken"] as? String else { throw HarnessError("no MachineMetrics token: \(response.text)") }
        return token
    }

    /// A mapping-service call with a bearer token.
    public func machineMetrics(_ method: String, _ path: String, token: String, headers: [(name: String, value: String)] = [], body: Any? = nil)
        async throws -> HTTPResponse
    {
        var request = HTTPRequest(
            method: method, url: setting("MAPPING_SERVICE_URL") + path, headers: headers + [("Authorization", "Bearer \(token)")])
        if let body {
            request.headers.append(("Content-Type", "application/json"))
            request.body = JSON.bytes(body)
        }
        return try await send(request)
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// JSON helpers for tests.
public enum JSON {
    public static func bytes(_ object: Any) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
