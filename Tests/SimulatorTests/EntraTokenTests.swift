import Foundation
import HTTP
import Simulator
import TestSupport
import Testing

struct EntraTokenTests {
    @Test func clientCredentialsOnTheV2EndpointGiveABearerTokenThatD365Accepts() async throws {
        try await withSimulator({ $0.d365TokenLifetimeSeconds = 1234 }) { session in
            let response = try await session.requestToken()
            #expect(response.status == 200)
            let body = try #require(response.jsonObject)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 1234)
            let token = try #require(body["access_token"] as? String)
            #expect(token.split(separator: ".").count == 3, "shaped like a JWT")
            #expect(try await session.odata("Workers", [("$top", "1")], token: token).status == 200)
        }
    }

    /// What MSAL and azure-identity read before they ask for a token: the endpoints carry the tenant's id, whichever
    /// name it was asked by; an unknown tenant or instance has Entra's errors.
    @Test func theDiscoveryDocumentsLeadToTheTenantsTokenEndpoint() async throws {
        try await withSimulator { session in
            let authority = session.setting("AZURE_AUTHORITY_HOST")
            let tenantID = session.setting("D365_TENANT_ID")
            let v2 = try await session.send(HTTPRequest(url: "\(authority)/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"))
            #expect(v2.status == 200)
            #expect(v2.jsonObject?["token_endpoint"] as? String == "\(authority)/\(tenantID)/oauth2/v2.0/token")
            #expect(v2.jsonObject?["issuer"] as? String == "\(authority)/\(tenantID)/v2.0")
            #expect((v2.jsonObject?["token_endpoint_auth_methods_supported"] as? [String])?.contains("private_key_jwt") == true)
            let v1 = try await session.send(HTTPRequest(url: "\(authority)/\(tenantID)/.well-known/openid-configuration"))
            #expect(v1.jsonObject?["token_endpoint"] as? String == "\(authority)/\(tenantID)/oauth2/token")
            let unknown = try await session.send(HTTPRequest(url: "\(authority)/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration"))
            #expect(unknown.status == 400 && unknown.text.contains("AADSTS90002"))

            let asked = "https://\(URL(string: authority)!.host!)/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
            let instance = try await session.send(
                HTTPRequest(
                    url:
                        "\(authority)/common/discovery/instance?api-version=1.1&authorization_endpoint=\(asked.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                ))
            #expect(
                instance.jsonObject?["tenant_discovery_endpoint"] as? String
                    == "\(authority)/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")
            let elsewhere = try await session.send(
                HTTPRequest(
                    url:
                        "\(authority)/common/discovery/instance?api-version=1.1&authorization_endpoint=https%3A%2F%2Fevil.example%2Fx%2Foauth2%2Fv2.0%2Fauthorize"
                ))
            #expect(elsewhere.status == 400 && elsewhere.text.contains("AADSTS50049"))
        }
    }

    @Test func theV1EndpointTakesAResourceInsteadOfAScope() async throws {
        try await withSimulator { session in
            let response = try await session.requestToken(version2: false, resource: session.setting("D365_ENVIRONMENT_HOST"))
            #expect(response.status == 200)
            let token = try #require(response.jsonObject?["access_token"] as? String)
            #expect(try await session.odata("Workers", [("$top", "1")], token: token).status == 200)
        }
    }

    /// Entra's error cases: status, OAuth `error` and the AADSTS code.
    @Test(arguments: [
        ("wrong secret", 401, "invalid_client", 7000215),
        ("unknown tenant", 400, "invalid_request", 90002),
        ("unknown client", 400, "unauthorized_client", 700016),
        ("scope without .default", 400, "invalid_scope", 70011),
        ("scope of another resource", 400, "invalid_resource", 500011),
    ])
    func tokenErrorsHaveEntrasShape(_ situation: String, _ status: Int, _ error: String, _ code: Int) async throws {
        try await withSimulator { session in
            let host = session.setting("D365_ENVIRONMENT_HOST")
            let response: HTTPResponse
            switch situation {
            case "wrong secret": response = try await session.requestToken(secret: "not-the-secret")
            case "unknown tenant": response = try await session.requestToken(tenant: "00000000-0000-0000-0000-000000000000")
            case "unknown client": response = try await session.requestToken(clientID: "11111111-1111-1111-1111-111111111111")
            case "scope without .default": response = try await session.requestToken(scope: host)
            default: response = try await session.requestToken(scope: "https://contoso.operations.dynamics.com/.default")
            }
            #expect(response.status == status)
            let body = try #require(response.jsonObject)
            #expect(body["error"] as? String == error)
            #expect(body["error_codes"] as? [Int] == [code])
            #expect((body["error_description"] as? String)?.hasPrefix("AADSTS\(code):") == true)
            #expect(body["access_token"] == nil)
        }
    }

    @Test func anExpiredSecretIsRefusedWithAADSTS7000222() async throws {
        try await withSimulator({ $0.clientSecretExpired = true }) { session in
            let response = try await session.requestToken()
            #expect(response.status == 401)
            #expect(response.jsonObject?["error"] as? String == "invalid_client")
            #expect(response.jsonObject?["error_codes"] as? [Int] == [7000222])
        }
    }

    @Test func theResourceParameterIsRefusedOnTheV2Endpoint() async throws {
        try await withSimulator { session in
            let response = try await session.requestToken(resource: session.setting("D365_ENVIRONMENT_HOST"))
            #expect(response.status == 400)
            #expect(response.jsonObject?["error_codes"] as? [Int] == [901002])
        }
    }

    @Test func d365AnswersABareUnauthorizedWithoutAUsableToken() async throws {
        try await withSimulator { session in
            let none = try await session.odata("ProductionOrderHeaders", token: nil)
            #expect(none.status == 401)
            #expect(none.body.isEmpty)
            let forged = try await session.odata("ProductionOrderHeaders", token: "eyJ.forged.token")
            #expect(forged.status == 401)
            // Since 10.0.39 the audience must be exactly the environment URL: a trailing slash makes a useless token.
            let slashed = try await session.requestToken(version2: false, resource: session.setting("D365_ENVIRONMENT_HOST") + "/")
            let token = try #require(slashed.jsonObject?["access_token"] as? String)
            #expect(try await session.odata("Workers", token: token).status == 401)
        }
    }

    @Test func anAppMissingFromFOsEntraApplicationsGetsATokenButD365RefusesIt() async throws {
        try await withSimulator({ $0.appRegisteredInD365 = false }) { session in
            let token = try await session.d365Token()
            let response = try await session.odata("Workers", token: token)
            #expect(response.status == 401)
            #expect(response.body.isEmpty)
        }
    }

    @Test func anExpiredTokenIsRefusedAndANewOneWorks() async throws {
        try await withSimulator { session in
            let token = try await session.d365Token()
            session.simulator.expireTokens(of: .d365)
            #expect(try await session.odata("Workers", token: token).status == 401)
            #expect(try await session.odata("Workers", token: try await session.d365Token()).status == 200)
        }
    }
}
