import Foundation
import Simulator
import TestSupport
import Testing

/// Signing in with a certificate instead of a secret, and secrets kept in files and systemd credentials, through the
/// built binary against the simulated Entra ID, which checks assertions as Entra ID does.
struct IdentityTests {
    /// A world whose app has `registered` as a certificate, and the files of `used` beside the spool.
    private func withCertificateWorld(
        registered: TestClientCertificate, used: TestClientCertificate, keyApart: Bool,
        _ body: (ConnectorHarness, [String: String?]) async throws -> Void
    ) async throws {
        try await withConnector(
            orders: 30, laborTickets: 10, configure: { $0.clientCertificatePEMs = [registered.certificatePEM] },
            extra: ["WRITE_LTS_TO_D365": "true"]
        ) { (harness: ConnectorHarness) async throws in
            let folder = harness.spoolDirectory + "/../identity"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var changes: [String: String?] = ["D365_CLIENT_SECRET": nil]
            if keyApart {
                try Data(used.certificatePEM.utf8).write(to: URL(fileURLWithPath: folder + "/app.crt"))
                try Data(used.keyPEM.utf8).write(to: URL(fileURLWithPath: folder + "/app.key"))
                changes["D365_CLIENT_CERTIFICATE_FILE"] = folder + "/app.crt"
                changes["D365_CLIENT_CERTIFICATE_KEY_FILE"] = folder + "/app.key"
            } else {
                try Data((used.certificatePEM + used.keyPEM).utf8).write(to: URL(fileURLWithPath: folder + "/app.pem"))
                changes["D365_CLIENT_CERTIFICATE_FILE"] = folder + "/app.pem"
            }
            try await body(harness, changes)
        }
    }

    @Test(arguments: [false, true])
    func aRegisteredCertificateSignsInForBothDirectionsAndItsKeyIsShownNowhere(keyApart: Bool) async throws {
        let certificate = try TestClientCertificate()
        try await withCertificateWorld(registered: certificate, used: certificate, keyApart: keyApart) { harness, changes in
            var outputs: [String] = []
            for arguments in [
                ["config", "check"], ["run", "from-erp"], ["run", "to-erp"], ["bundle", "--output", harness.spoolDirectory + "/.."],
            ] {
                let result = try await harness.run(arguments, changing: changes)
                outputs += [result.standardOutput, result.standardError]
                #expect([0, 2].contains(result.status), "\(arguments): \(result.standardError)")
                if arguments[0] == "bundle" { outputs.append(try SupportBundleText.of(result)) }
            }
            #expect(outputs.last?.contains("D365_CLIENT_CERTIFICATE_FILE") == true, "the bundle's configuration names the certificate")
            let secretLine = outputs[0].split(separator: "\n").first { $0.hasPrefix("D365_CLIENT_SECRET ") }
            #expect(outputs[0].contains("D365_CLIENT_CERTIFICATE_FILE") && secretLine?.contains("(not set)") == true, "\(outputs[0])")
            #expect(harness.session.simulator.receivedRecords("work-orders").count > 0)
            let everything = outputs + [harness.spoolText()]
            #expect(certificate.keyLines.allSatisfy { line in !everything.contains { $0.contains(line) } }, "the private key appears nowhere")
            #expect(harness.leakedSecrets(in: everything).isEmpty)
        }
    }

    @Test func anUnregisteredCertificateStopsWith77NamingAADSTS700027AndWhichCertificate() async throws {
        let registered = try TestClientCertificate(commonName: "the registered one")
        let used = try TestClientCertificate(commonName: "a certificate never uploaded")
        try await withCertificateWorld(registered: registered, used: used, keyApart: false) { harness, changes in
            let refused = try await harness.run(["run", "from-erp"], changing: changes)
            #expect(refused.status == 77, "\(refused.standardError)")
            #expect(
                refused.standardError.contains("AADSTS700027") && refused.standardError.contains("CN=a certificate never uploaded"),
                "\(refused.standardError)")
            #expect(refused.standardError.contains("Upload it (App registration > Certificates & secrets > Certificates"))
        }
    }

    @Test func aCertificateAndASecretTogetherAreAConfigurationError() async throws {
        let certificate = try TestClientCertificate()
        try await withCertificateWorld(registered: certificate, used: certificate, keyApart: false) { harness, changes in
            var both = changes
            both["D365_CLIENT_SECRET"] = harness.session.setting("D365_CLIENT_SECRET")
            let refused = try await harness.run(["run", "from-erp"], changing: both)
            #expect(refused.status == 78 && refused.standardError.contains("and so is D365_CLIENT_CERTIFICATE_FILE"), "\(refused.standardError)")
            #expect(!refused.standardError.contains(harness.session.setting("D365_CLIENT_SECRET")))
        }
    }

    @Test func secretsComeFromTheirOwnFilesAndFromSystemdCredentials() async throws {
        try await withConnector(orders: 20, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            let folder = harness.spoolDirectory + "/../secrets"
            let credentials = harness.spoolDirectory + "/../credentials"
            for directory in [folder, credentials] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try Data((harness.session.setting("D365_CLIENT_SECRET") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/client-secret"))
            chmod(folder + "/client-secret", 0o600)
            try Data(harness.session.setting("MAPPING_SERVICE_TOKEN").utf8).write(to: URL(fileURLWithPath: credentials + "/MAPPING_SERVICE_TOKEN"))
            let changes: [String: String?] = [
                "D365_CLIENT_SECRET": nil, "MAPPING_SERVICE_TOKEN": nil, "D365_CLIENT_SECRET_FILE": folder + "/client-secret",
                "CREDENTIALS_DIRECTORY": credentials,
            ]
            let check = try await harness.run(["config", "check"], changing: changes)
            #expect(check.status == 0, "\(check.standardError)")
            #expect(
                check.standardOutput.contains("[file \(folder)/client-secret, named by D365_CLIENT_SECRET_FILE (environment)]"),
                "\(check.standardOutput)")
            #expect(check.standardOutput.contains("[systemd credential \(credentials)/MAPPING_SERVICE_TOKEN]"))
            let run = try await harness.run(["run", "from-erp"], changing: changes)
            #expect(run.status == 0, "\(run.standardError)")
            var twice = changes
            twice["MAPPING_SERVICE_TOKEN"] = harness.session.setting("MAPPING_SERVICE_TOKEN")
            let refused = try await harness.run(["run", "from-erp"], changing: twice)
            #expect(
                refused.status == 78
                    && refused.standardError.contains("MAPPING_SERVICE_TOKEN (Mapping Service Token): is given in more than one place"))
            #expect(harness.leakedSecrets(in: [check.standardOutput, check.standardError, run.standardError, refused.standardError]).isEmpty)
        }
    }
}

/// `doctor` and `status` in a plant: the proxy, each host's TLS trust, and a certificate credential about to expire.
struct PlantDoctorTests {
    @Test func doctorChecksTheProxyTheTrustOfEachHostAndWarnsOfACertificateAboutToExpire() async throws {
        let certificate = try TestClientCertificate(notValidAfter: Date().addingTimeInterval(20 * 86_400 + 3600))
        try await withConnector(
            orders: 10, laborTickets: 0,
            configure: { options in
                options.proxy = ProxyOptions(user: "svc-d365mm", password: PlantNetworkTests.proxyPassword)
                options.clientCertificatePEMs = [certificate.certificatePEM]
            }, extra: [:]
        ) { (harness: ConnectorHarness) async throws in
            let file = URL(fileURLWithPath: harness.spoolDirectory).deletingLastPathComponent().appendingPathComponent("app.pem").path
            try Data((certificate.certificatePEM + certificate.keyPEM).utf8).write(to: URL(fileURLWithPath: file))
            let changes: [String: String?] = ["D365_CLIENT_SECRET": nil, "D365_CLIENT_CERTIFICATE_FILE": file]
            let doctor = try await harness.run(["doctor"], changing: changes)
            #expect(doctor.status == 0, "a warning does not fail doctor: \(doctor.standardOutput)")
            let port = try #require(harness.session.simulator.proxy?.port)
            for needle in [
                "PASS  proxy 127.0.0.1:\(port): reached, accepted the login of svc-d365mm and opened a tunnel to sim.d365mm.test",
                "PASS  TLS sim.d365mm.test: its certificate is trusted (issued by", "d365mm simulator CA",
                "WARN  certificate: the certificate of D365_CLIENT_CERTIFICATE_FILE (", "expires on", "in 21 day(s)", "PASS  token",
            ] {
                #expect(doctor.standardOutput.contains(needle), "\(needle): \(doctor.standardOutput)")
            }
            #expect(try await harness.run(["run", "from-erp"], changing: changes).status == 0)
            let status = try await harness.run(["status"], changing: changes)
            #expect(status.standardOutput.contains("Needs attention") && status.standardOutput.contains("in 21 day(s)"), "\(status.standardOutput)")
            #expect(
                !doctor.standardOutput.contains(PlantNetworkTests.proxyPassword)
                    && certificate.keyLines.allSatisfy { !doctor.standardOutput.contains($0) })
        }
    }

    @Test func doctorNamesAnUntrustedHostAndAProxyRefusingTheLogin() async throws {
        try await withConnector(
            orders: 10, laborTickets: 0, configure: { $0.proxy = ProxyOptions(user: "svc-d365mm", password: PlantNetworkTests.proxyPassword) },
            extra: [:]
        ) { (harness: ConnectorHarness) async throws in
            let untrusted = try await harness.run(["doctor"], changing: ["D365MM_CA_FILE": nil])
            #expect(untrusted.status == 77, "\(untrusted.standardOutput)")
            #expect(
                untrusted.standardOutput.contains("FAIL  TLS sim.d365mm.test") && untrusted.standardOutput.contains("fix: Set D365MM_CA_FILE"),
                "\(untrusted.standardOutput)")
            let port = try #require(harness.session.simulator.proxy?.port)
            let refused = try await harness.run(["doctor"], changing: ["HTTPS_PROXY": "http://svc-d365mm:not-it@127.0.0.1:\(port)"])
            #expect(
                refused.status == 77 && refused.standardOutput.contains("FAIL  proxy 127.0.0.1:\(port)")
                    && refused.standardOutput.contains("fix: Check the user and password in HTTPS_PROXY"),
                "\(refused.standardOutput)")
        }
    }
}
