import ConnectorConfiguration
import Foundation
import Redaction
import Testing

/// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` as the contract reads them.
struct ProxySettingsTests {
    private func load(_ extra: [String: String]) throws(ConfigurationError) -> Configuration {
        try ConfigurationLoader.load(ConfigurationSource(environment: ConfigurationLoaderTests.valid.merging(extra) { $1 }, filePath: nil))
    }

    @Test func aProxyURLIsReadWithItsPercentEncodedLogin() throws {
        let proxy = try #require(ProxyServer(parsing: "http://svc%40plant:p%3Ass%2Fword@Proxy.Plant.example:3128/"))
        #expect(proxy.host == "proxy.plant.example" && proxy.port == 3128)
        #expect(proxy.username == "svc@plant" && proxy.password?.revealed == "p:ss/word")
        #expect(proxy.description == "svc@plant@proxy.plant.example:3128", "never the password")
        #expect(ProxyServer(parsing: "proxy.plant:8080")?.port == 8080, "host:port alone is http://")
        for wrong in ["https://proxy:3128", "http://proxy", "socks5://proxy:1080", "http://proxy:99999", "http://proxy:3128/path"] {
            #expect(ProxyServer(parsing: wrong) == nil, "\(wrong)")
        }
    }

    @Test func theLowerCaseSpellingWinsAndAPasswordIsASecret() throws {
        let configuration = try load(["HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://user:s3cret-pw@lower:3128"])
        #expect(configuration.proxies.https?.host == "lower")
        #expect(configuration.secrets.contains("s3cret-pw"))
        #expect(Redactor(secrets: configuration.secrets).redact("refused s3cret-pw") == "refused [REDACTED]")
    }

    @Test func aProxyThatCannotBeReadIsNamedWithItsPasswordMasked() {
        let error = #expect(throws: ConfigurationError.self) { try load(["https_proxy": "https://user:hunter22@proxy:3128"]) }
        let text = error?.description ?? ""
        #expect(text.contains("HTTPS_PROXY: must be http://[user:password@]host:port"), "\(text)")
        #expect(text.contains("user:[REDACTED]@proxy") && !text.contains("hunter22"), "\(text)")
    }

    @Test(arguments: [
        ("contoso.operations.dynamics.com", nil as String?), ("erp.machinemetrics.com", "proxy"), ("login.microsoftonline.com", "proxy"),
        ("operations.dynamics.com", nil), ("xoperations.dynamics.com", "proxy"), ("10.1.2.3", nil), ("10.2.0.1", "proxy"), ("192.168.7.7", nil),
        ("fd00::12", nil), ("fd01::1", "proxy"), ("127.0.0.1", nil), ("localhost", nil), ("::1", nil), ("127.8.9.10", nil),
    ])
    func noProxyMatchesNamesWithTheirSubdomainsAddressesAndBlocksAndLoopbackNeverGoesThroughOne(_ host: String, _ expected: String?) throws {
        let configuration = try load(["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": ".operations.dynamics.com, 10.1.0.0/16,192.168.7.7,fd00::/16"])
        #expect(configuration.proxies.proxy(scheme: "https", host: host)?.host == expected, "\(host)")
    }

    @Test func eachSchemeHasItsOwnProxyAndAStarBypassesThemAll() throws {
        let both = try load(["https_proxy": "http://secure:3128", "http_proxy": "http://plain:3128"])
        #expect(both.proxies.proxy(scheme: "https", host: "example.com")?.host == "secure")
        #expect(both.proxies.proxy(scheme: "http", host: "example.com")?.host == "plain")
        #expect(try load(["https_proxy": "http://secure:3128", "no_proxy": "*"]).proxies.proxy(scheme: "https", host: "example.com") == nil)
        let error = #expect(throws: ConfigurationError.self) { try load(["NO_PROXY": "10.0.0.0/40"]) }
        #expect(error?.description.contains("NO_PROXY: must be comma-separated hosts") == true)
    }
}
