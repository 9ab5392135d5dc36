import Foundation
import Simulator
import Testing
import TestSupport

/// Signing in with a certificate instead of a secret, and secrets kept in files and systemd credentials, through the
/// built binary against the simulated Entra ID, which checks assertions as Entra ID does.
struct IdentityTests {
    /// A world whose app has `registered` as a certificate, and the files of `used` beside the spool.
    private func withCertificateWorld(registered: TestClientCertificate, used: TestClientCertificate, keyApart: Bool,
                                      _ body: (ConnectorHarness, [String: String?]) async throws -> Void) async throws {
        try await withConnector(orders: 30, laborTickets: 10, configure: { $0.clientCertificatePEMs = [registered.certificatePEM] },
                                extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
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
            for arguments in [["config", "check"], ["run", "from-erp"], ["run", "to-erp"], ["bundle", "--output", harness.spoolDirectory + "/.."]] {
                let result = try await harness.run(arguments, changing: changes)
                outputs += [result.standardOutput, result.standardError]
                #expect([0, 2].contains(result.status), "\(arguments): \(result.standardError)")
            }
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
            #expect(refused.standardError.contains("AADSTS700027") && refused.standardError.contains("CN=a certificate never uploaded"), "\(refused.standardError)")
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
            let changes: [String: String?] = ["D365_CLIENT_SECRET": nil, "MAPPING_SERVICE_TOKEN": nil, "D365_CLIENT_SECRET_FILE": folder + "/client-secret",
                                              "CREDENTIALS_DIRECTORY": credentials]
            let check = try await harness.run(["config", "check"], changing: changes)
            #expect(check.status == 0, "\(check.standardError)")
            #expect(check.standardOutput.contains("[file \(folder)/client-secret, named by D365_CLIENT_SECRET_FILE (environment)]"), "\(check.standardOutput)")
            #expect(check.standardOutput.contains("[systemd credential \(credentials)/MAPPING_SERVICE_TOKEN]"))
            let run = try await harness.run(["run", "from-erp"], changing: changes)
            #expect(run.status == 0, "\(run.standardError)")
            var twice = changes
            twice["MAPPING_SERVICE_TOKEN"] = harness.session.setting("MAPPING_SERVICE_TOKEN")
            let refused = try await harness.run(["run", "from-erp"], changing: twice)
            #expect(refused.status == 78 && refused.standardError.contains("MAPPING_SERVICE_TOKEN (Mapping Service Token): is given in more than one place"))
            #expect(harness.leakedSecrets(in: [check.standardOutput, check.standardError, run.standardError, refused.standardError]).isEmpty)
        }
    }
}
