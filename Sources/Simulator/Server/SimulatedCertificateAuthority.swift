import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate authority made up for one simulated world, as a plant's TLS-inspecting proxy or private CA is: its
/// certificate is trusted by no system, so a connector reaches the simulator over https only when told to trust it
/// (`D365MM_CA_FILE`).
struct SimulatedCertificateAuthority {
    /// The name every simulated service answers to over TLS; `.test` names never resolve, so only the simulated proxy
    /// can find it.
    static let serviceHost = "sim.d365mm.test"

    /// The CA's certificate, PEM, for `D365MM_CA_FILE`.
    let certificatePEM: String
    /// The server's TLS context: a certificate for ``serviceHost``, `localhost` and 127.0.0.1, signed by the CA.
    let serverContext: NIOSSLContext

    init(now: Date = Date()) throws {
        let authorityKey = P256.Signing.PrivateKey()
        let authorityName = try DistinguishedName {
            CommonName("d365mm simulator CA")
            OrganizationName("d365mm simulator")
        }
        let authority = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(authorityKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: authorityName, subject: authorityName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(authorityKey))
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: authorityName, subject: try DistinguishedName { CommonName(Self.serviceHost) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName(Self.serviceHost), .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                ])
            },
            issuerPrivateKey: .init(authorityKey))
        certificatePEM = try authority.serializeAsPEM().pemString
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(try server.serializeAsPEM().pemString.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.pemRepresentation.utf8), format: .pem)))
        serverContext = try NIOSSLContext(configuration: configuration)
    }
}
