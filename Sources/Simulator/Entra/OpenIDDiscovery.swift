import Foundation

/// The discovery documents Microsoft's libraries (MSAL, azure-identity) read before they ask for a token: the tenant's
/// OpenID configuration (`/{tenant}/v2.0/.well-known/openid-configuration`, and v1's without `v2.0`) and instance
/// discovery (`/common/discovery/instance`), in Entra ID's shapes. The endpoints they name carry the tenant's id,
/// whichever name the tenant was asked by, as Entra ID's do.
struct OpenIDDiscovery {
    /// The simulator's base URL, which stands in for `https://login.microsoftonline.com`.
    let authority: String

    /// The OpenID configuration of `tenant`, v2.0 or v1.
    func configuration(tenant: String, version: TokenEndpointVersion, state: EntraState) -> SimulatedResponse {
        guard state.knowsTenant(tenant) else {
            return .json(
                400,
                object: [
                    "error": "invalid_tenant", "error_codes": [90002],
                    "error_description":
                        "AADSTS90002: Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
                ])
        }
        let tenantID = state.tenantID
        let root = "\(authority)/\(tenantID)"
        var document: [String: Any] = [
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "request_uri_parameter_supported": false,
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
            "kerberos_endpoint": "\(root)/kerberos",
        ]
        let oauth = version == .v2 ? "\(root)/oauth2/v2.0" : "\(root)/oauth2"
        for (name, path) in [
            ("token_endpoint", "token"), ("authorization_endpoint", "authorize"), ("device_authorization_endpoint", "devicecode"),
            ("end_session_endpoint", "logout"),
        ] {
            document[name] = "\(oauth)/\(path)"
        }
        switch version {
        case .v2:
            document["issuer"] = "\(root)/v2.0"
            document["jwks_uri"] = "\(authority)/\(tenantID)/discovery/v2.0/keys"
            document["userinfo_endpoint"] = "https://graph.microsoft.com/oidc/userinfo"
            document["scopes_supported"] = ["openid", "profile", "email", "offline_access"]
            document["claims_supported"] = [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver",
                "at_hash", "c_hash", "email",
            ]
        case .v1:
            document["issuer"] = "https://sts.windows.net/\(tenantID)/"
            document["jwks_uri"] = "\(authority)/common/discovery/keys"
            document["userinfo_endpoint"] = "\(root)/openid/userinfo"
            document["claims_supported"] = [
                "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name",
                "family_name", "nickname",
            ]
            document["microsoft_multi_refresh_token"] = true
        }
        return .json(200, object: document, headers: [("Cache-Control", "max-age=86400, private"), ("Access-Control-Allow-Origin", "*")])
    }

    /// Where the OpenID configuration of the tenant in `authorization_endpoint` is, when its host is this one.
    func instance(query: String) -> SimulatedResponse {
        let items = Dictionary(FormEncoding.decode(query), uniquingKeysWith: { first, _ in first })
        guard let endpoint = items["authorization_endpoint"], let url = URL(string: endpoint), let host = url.host,
            let authorityHost = URL(string: authority)?.host, host.caseInsensitiveCompare(authorityHost) == .orderedSame,
            let tenant = url.path.split(separator: "/").first
        else {
            return .json(
                400,
                object: [
                    "error": "invalid_instance", "error_codes": [50049],
                    "error_description": "AADSTS50049: Unknown or invalid instance.",
                ])
        }
        let hostAndPort = authorityHost + (URL(string: authority)?.port.map { ":\($0)" } ?? "")
        return .json(
            200,
            object: [
                "tenant_discovery_endpoint": "\(authority)/\(tenant)/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [["preferred_network": hostAndPort, "preferred_cache": hostAndPort, "aliases": [hostAndPort]]],
            ])
    }
}
