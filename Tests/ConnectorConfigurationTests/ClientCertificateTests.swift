import ConnectorConfiguration
import Credentials
import Crypto
import Foundation
import TestSupport
import Testing

/// Certificate credentials: the files, and the client assertion exactly as `contracts/cli-and-config.md` describes it.
struct ClientCertificateTests {
    private func withFiles(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("d365mm-certificates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)")) }
        try body(directory)
    }

    private func json(_ part: Substring) throws -> [String: Any] {
        let bytes = try #require(Base64URL.decode(part))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func theAssertionIsPS256WithTheCertificatesSHA256ThumbprintAndTheContractsClaims() throws {
        let made = try TestClientCertificate()
        try withFiles(["app.pem": made.certificatePEM + made.keyPEM]) { directory in
            let certificate = try ClientCertificate(certificateFile: "\(directory)/app.pem", keyFile: nil)
            let audience = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
            let now = Date(timeIntervalSince1970: 1_796_000_000)
            let first = try certificate.assertion(clientID: "0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f", audience: audience, now: now)
            let parts = first.split(separator: ".")
            #expect(parts.count == 3)
            let header = try json(parts[0])
            #expect(header["alg"] as? String == "PS256" && header["typ"] as? String == "JWT")
            #expect(header["x5t#S256"] as? String == Base64URL.encode(Array(SHA256.hash(data: certificate.der))))
            let claims = try json(parts[1])
            #expect(claims["aud"] as? String == audience)
            #expect(claims["iss"] as? String == "0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f" && claims["sub"] as? String == claims["iss"] as? String)
            #expect(claims["nbf"] as? Int == 1_796_000_000 && claims["iat"] as? Int == 1_796_000_000 && claims["exp"] as? Int == 1_796_000_600)
            let second = try certificate.assertion(clientID: "0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f", audience: audience, now: now)
            #expect(try json(second.split(separator: ".")[1])["jti"] as? String != claims["jti"] as? String, "a fresh jti each time")
            #expect(certificate.subject.contains("CN=d365mm test client") && certificate.thumbprint.count == 40)
        }
    }

    @Test func theKeyMayBeInAFileOfItsOwnAndMustBeTheCertificates() throws {
        let made = try TestClientCertificate()
        let other = try TestClientCertificate(commonName: "someone else")
        try withFiles([
            "cert.pem": made.certificatePEM, "key.pem": made.keyPEM, "other-key.pem": other.keyPEM,
            "encrypted.pem":
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
        ]) { directory in
            #expect(throws: Never.self) { try ClientCertificate(certificateFile: "\(directory)/cert.pem", keyFile: "\(directory)/key.pem") }
            let mismatch = #expect(throws: CredentialError.self) {
                try ClientCertificate(certificateFile: "\(directory)/cert.pem", keyFile: "\(directory)/other-key.pem")
            }
            #expect(mismatch?.description.contains("does not belong to the certificate") == true)
            let encrypted = #expect(throws: CredentialError.self) {
                try ClientCertificate(certificateFile: "\(directory)/cert.pem", keyFile: "\(directory)/encrypted.pem")
            }
            #expect(encrypted?.description.contains("is encrypted") == true)
            let keyless = #expect(throws: CredentialError.self) { try ClientCertificate(certificateFile: "\(directory)/cert.pem", keyFile: nil) }
            #expect(
                keyless?.description.contains("holds no RSA private key") == true
                    && keyless?.description.contains("D365_CLIENT_CERTIFICATE_KEY_FILE") == true)
        }
    }

    @Test func aCertificateOrASecretButNotBoth() throws {
        let made = try TestClientCertificate()
        try withFiles(["app.pem": made.certificatePEM + made.keyPEM]) { directory in
            var environment = ConfigurationLoaderTests.valid
            environment["D365_CLIENT_CERTIFICATE_FILE"] = "\(directory)/app.pem"
            let both = #expect(throws: ConfigurationError.self) {
                try ConfigurationLoader.load(ConfigurationSource(environment: environment, filePath: nil))
            }
            #expect(both?.description.contains("D365_CLIENT_SECRET (D365 Client Secret): is given, and so is D365_CLIENT_CERTIFICATE_FILE") == true)
            environment["D365_CLIENT_SECRET"] = nil
            let configuration = try ConfigurationLoader.load(ConfigurationSource(environment: environment, filePath: nil))
            guard case .certificate(let certificate) = configuration.clientCredential else {
                Issue.record("the certificate is the credential")
                return
            }
            #expect(certificate.subject.contains("d365mm test client") && configuration[.clientSecret] == nil)
            environment["D365_CLIENT_CERTIFICATE_FILE"] = nil
            let neither = #expect(throws: ConfigurationError.self) {
                try ConfigurationLoader.load(ConfigurationSource(environment: environment, filePath: nil))
            }
            #expect(neither?.description.contains("is required unless D365_CLIENT_CERTIFICATE_FILE is set") == true)
        }
    }
}
