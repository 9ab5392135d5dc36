import Foundation
import Simulator
import TestSupport
import Testing

/// The simulator as clients d365mm did not write see it: Microsoft's MSAL for Python and azure-identity, and OData read with plain
/// `requests`, both through the simulated proxy to services over TLS (`IndependentClients/independent_clients.py`).
/// What passes here and would fail against the real services is a gap in the simulator.
struct IndependentClientTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "IndependentClients/independent_clients.py"
    ).path

    /// A Python with MSAL and azure-identity installed from the package registry, kept between runs; `nil`, and why,
    /// when there is none.
    static func pythonWithMSAL() async throws -> (python: String?, reason: String) {
        let environment = FileManager.default.temporaryDirectory.appendingPathComponent("d365mm-python-clients").path
        let python = environment + "/bin/python"
        if try await OtherProgram.runOnItsOwnThread([python, "-c", "import msal, azure.identity"]).status == 0 { return (python, "") }
        let made = try await OtherProgram.runOnItsOwnThread(["python3", "-m", "venv", "--clear", environment])
        guard made.status == 0 else { return (nil, "python3 -m venv failed (apt-get install python3-venv): \(made.standardError.suffix(300))") }
        let installed = try await OtherProgram.runOnItsOwnThread([python, "-m", "pip", "install", "--quiet", "msal>=1.30", "azure-identity>=1.15"])
        guard installed.status == 0 else {
            return (nil, "pip install msal azure-identity failed (no package registry here?): \(installed.standardError.suffix(300))")
        }
        return (python, "")
    }

    @Test func msalGetsTokensAndOnlyTheSelectedDatesComeBackAsFAndOWritesThem() async throws {
        let (python, reason) = try await Self.pythonWithMSAL()
        guard let python else {
            print("skipped: MSAL and azure-identity for Python are not available: \(reason)")
            return
        }
        let certificate = try TestClientCertificate(commonName: "msal client")
        let password = "msal-Proxy-Pa55"
        try await withSimulator({ options in
            options.dataSet.orders = 60
            options.proxy = ProxyOptions(user: "svc-msal", password: password)
            options.clientCertificatePEMs = [certificate.certificatePEM]
        }) { session in
            try await withTemporaryDirectory { directory in
                try certificate.certificatePEM.write(toFile: "\(directory)/client.pem", atomically: true, encoding: .utf8)
                try certificate.keyPEM.write(toFile: "\(directory)/client.key", atomically: true, encoding: .utf8)
                let proxyPort = try #require(session.simulator.proxy?.port)
                let caFile = try #require(session.certificateAuthorityFile)
                let proxy = "http://svc-msal:\(password)@127.0.0.1:\(proxyPort)"
                let result = try await OtherProgram.runOnItsOwnThread(
                    [python, Self.script],
                    environment: [
                        "SIM_AUTHORITY_HOST": session.setting("AZURE_AUTHORITY_HOST"), "SIM_TENANT": SimulatedIdentities().tenantDomain,
                        "SIM_TENANT_ID": session.setting("D365_TENANT_ID"),
                        "SIM_CLIENT_ID": session.setting("D365_CLIENT_ID"), "SIM_CLIENT_SECRET": session.setting("D365_CLIENT_SECRET"),
                        "SIM_D365": session.setting("D365_ENVIRONMENT_HOST"), "SIM_CERTIFICATE_FILE": "\(directory)/client.pem",
                        "SIM_KEY_FILE": "\(directory)/client.key", "SIM_CERTIFICATE_SHA1": certificate.sha1Thumbprint,
                        "HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": "", "REQUESTS_CA_BUNDLE": caFile,
                    ])
                let report = result.standardOutput + result.standardError
                #expect(result.status == 0, "\(report)")
                #expect(report.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 16, "every check ran and passed: \(report)")
                let asked = session.simulator.requestLog.entries.map(\.path)
                #expect(asked.contains("/common/discovery/instance"), "MSAL asked for instance discovery")
                #expect(
                    asked.contains("/\(SimulatedIdentities().tenantDomain)/v2.0/.well-known/openid-configuration"), "and the OpenID configuration")
                #expect(!report.contains(session.setting("D365_CLIENT_SECRET")) && !report.contains(password))
                #expect(
                    session.simulator.proxy?.tunnelsAsked.allSatisfy { $0.target.hasPrefix("sim.d365mm.test:") } == true, "all went through the proxy"
                )
            }
        }
    }
}
