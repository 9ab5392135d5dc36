import Foundation
import Simulator
import TestSupport
import Testing

/// The network of a plant: an authenticating proxy that is the only way out (and the only place the services' name
/// resolves), services over TLS under a CA no system trusts, and what goes wrong there.
struct PlantNetworkTests {
    static let proxyPassword = "pr0xy-Pa$$word!"

    private func withPlant(orders: Int = 40, laborTickets: Int = 12, _ body: (ConnectorHarness) async throws -> Void) async throws {
        try await withConnector(
            orders: orders, laborTickets: laborTickets, configure: { $0.proxy = ProxyOptions(user: "svc-d365mm", password: Self.proxyPassword) },
            extra: ["WRITE_LTS_TO_D365": "true"], body)
    }

    @Test func bothDirectionsRunThroughTheProxyToTLSServicesTrustedThroughTheCAFileAlone() async throws {
        try await withPlant { (harness: ConnectorHarness) async throws in
            let simulator = harness.session.simulator
            #expect(harness.environment["D365_ENVIRONMENT_HOST"]?.hasPrefix("https://sim.d365mm.test:") == true)
            var outputs: [String] = []
            for arguments in [
                ["config", "check"], ["run", "from-erp"], ["run", "to-erp"], ["status"], ["bundle", "--output", harness.spoolDirectory + "/.."],
            ] {
                let result = try await harness.run(arguments)
                outputs += [result.standardOutput, result.standardError]
                #expect([0, 2].contains(result.status), "\(arguments): \(result.standardError)")
                if arguments[0] == "bundle" { outputs.append(try SupportBundleText.of(result)) }
            }
            #expect(outputs.last?.contains("svc-d365mm:[REDACTED]@127.0.0.1") == true, "the bundle's configuration shows the proxy, masked")
            #expect(
                outputs[0].contains("HTTPS_PROXY") && outputs[0].contains("svc-d365mm:[REDACTED]@127.0.0.1"),
                "config check masks the proxy's password: \(outputs[0])")
            let tunnels = try #require(simulator.proxy?.tunnelsAsked)
            #expect(!tunnels.isEmpty && tunnels.allSatisfy { $0.target.hasPrefix("sim.d365mm.test:") && $0.status == 200 }, "\(tunnels)")
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty, "\(Invariants.problems(harness))")
            #expect(!outputs.joined().contains(Self.proxyPassword) && !harness.spoolText().contains(Self.proxyPassword))
            #expect(!outputs.joined().contains("pr0xy-Pa%24%24word"), "nor its percent-encoded form")
            #expect(harness.leakedSecrets(in: outputs + [harness.spoolText()]).isEmpty)
        }
    }

    @Test func withoutTheCAFileTheRunStopsWith77NamingTheHostTheCertificateAndTheFix() async throws {
        try await withPlant(orders: 10, laborTickets: 0) { (harness: ConnectorHarness) async throws in
            let refused = try await harness.run(["run", "from-erp"], changing: ["D365MM_CA_FILE": nil])
            #expect(refused.status == 77, "\(refused.standardError)")
            for needle in [
                "sim.d365mm.test presented a certificate that is not trusted", "CN=sim.d365mm.test", "issued by", "d365mm simulator CA",
                "set D365MM_CA_FILE",
            ] {
                #expect(refused.standardError.contains(needle), "\(needle): \(refused.standardError)")
            }
        }
    }

    @Test func aWrongProxyPasswordStopsWith77NamingTheProxyNotThePassword() async throws {
        try await withPlant(orders: 10, laborTickets: 0) { (harness: ConnectorHarness) async throws in
            let port = try #require(harness.session.simulator.proxy?.port)
            let refused = try await harness.run(
                ["run", "from-erp"], changing: ["HTTPS_PROXY": "http://svc-d365mm:wrong-guess-123@127.0.0.1:\(port)"])
            #expect(refused.status == 77, "\(refused.standardError)")
            #expect(
                refused.standardError.contains("the proxy 127.0.0.1:\(port) (HTTPS_PROXY)") && refused.standardError.contains("407"),
                "\(refused.standardError)")
            #expect(!refused.standardError.contains("wrong-guess-123"))
            #expect(harness.session.simulator.proxy?.tunnelsAsked.last?.status == 407)
        }
    }

    @Test func aProxyThatCannotBeReachedStopsWith75NamingIt() async throws {
        try await withPlant(orders: 10, laborTickets: 0) { (harness: ConnectorHarness) async throws in
            let refused = try await harness.run(["run", "from-erp"], changing: ["HTTPS_PROXY": "http://127.0.0.1:9"])
            #expect(refused.status == 75, "\(refused.standardError)")
            #expect(refused.standardError.contains("cannot reach the proxy 127.0.0.1:9 (HTTPS_PROXY)"), "\(refused.standardError)")
        }
    }

    /// `NO_PROXY` sends the services' requests around the proxy, where their name does not resolve: the bypass is real.
    @Test func noProxySendsRequestsStraightAndLoopbackNeverGoesThroughAProxy() async throws {
        try await withPlant(orders: 10, laborTickets: 0) { (harness: ConnectorHarness) async throws in
            let around = try await harness.run(["run", "from-erp"], changing: ["NO_PROXY": "localhost,.d365mm.test"])
            #expect(around.status == 75, "the name does not resolve without the proxy: \(around.standardError)")
            #expect(harness.session.simulator.proxy?.tunnelsAsked.isEmpty == true, "no tunnel was asked for")
        }
        try await withConnector(orders: 10, laborTickets: 0, configure: { $0.tls = true }, extra: ["HTTPS_PROXY": "http://127.0.0.1:9"]) {
            (harness: ConnectorHarness) async throws in
            #expect(harness.environment["D365_ENVIRONMENT_HOST"]?.hasPrefix("https://127.0.0.1:") == true)
            let straight = try await harness.run(["run", "from-erp"])
            #expect(straight.status == 0, "loopback goes straight, past a proxy that is not there: \(straight.standardError)")
        }
    }
}
