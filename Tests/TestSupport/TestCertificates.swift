import Crypto
import Foundation
import X509
import _CryptoExtras

/// An app registration's certificate as an administrator makes one: self-signed, RSA, valid for a year.
public struct TestClientCertificate: Sendable {
    public let certificatePEM: String
    /// The unencrypted private key, PKCS#8.
    public let keyPEM: String
    /// The SHA-1 thumbprint in hex, as the Azure portal lists it.
    public let sha1Thumbprint: String

    public init(commonName: String = "d365mm test client", notValidAfter: Date = Date().addingTimeInterval(365 * 86_400)) throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName {
            CommonName(commonName)
            OrganizationName("Contoso Plant")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: notValidAfter, issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) }, issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM()
        certificatePEM = pem.pemString
        sha1Thumbprint = Insecure.SHA1.hash(data: pem.derBytes).map { String(format: "%02X", $0) }.joined()
        keyPEM = key.pemRepresentation
    }

    /// The base64 lines of the key, each of which must never appear in any output.
    public var keyLines: [String] {
        keyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 40 }.map(String.init)
    }
}
