import Crypto
import Foundation
import X509
import _CryptoExtras

/// The app registration's certificate and its RSA private key (Microsoft identity platform "certificate credentials"):
/// what signs the client assertions that take the place of a client secret.
///
/// The key never leaves this type: only signatures do.
public struct ClientCertificate: @unchecked Sendable {
    public let certificate: Certificate
    private let key: _RSA.Signing.PrivateKey
    /// The certificate's DER bytes.
    public let der: [UInt8]

    /// The subject, as RFC 4514 writes a name (`CN=…,O=…`).
    public var subject: String { certificate.subject.description }
    public var issuer: String { certificate.issuer.description }
    public var notValidAfter: Date { certificate.notValidAfter }
    /// The SHA-1 thumbprint in hex, as the Azure portal lists the certificates of an app registration.
    public var thumbprint: String { PEMFile.thumbprint(der: der) }
    /// `x5t#S256`: the base64url SHA-256 of the DER.
    public var sha256Thumbprint: String { Base64URL.encode(Array(SHA256.hash(data: der))) }

    /// Reads the certificate, and the unencrypted RSA private key from `keyFile` or, when that is `nil`, from the same
    /// file; checks that the key is the certificate's.
    public init(certificateFile: String, keyFile: String?) throws(CredentialError) {
        let certificateBlocks = try PEMFile.blocks(file: certificateFile, variable: "D365_CLIENT_CERTIFICATE_FILE")
        let keyBlocks =
            try keyFile.map { file throws(CredentialError) in try PEMFile.blocks(file: file, variable: "D365_CLIENT_CERTIFICATE_KEY_FILE") }
            ?? certificateBlocks
        (certificate, der) = try PEMFile.certificate(in: certificateBlocks, file: certificateFile)
        let keyPlace = keyFile.map { "D365_CLIENT_CERTIFICATE_KEY_FILE (\($0))" } ?? "D365_CLIENT_CERTIFICATE_FILE (\(certificateFile))"
        if keyBlocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) {
            throw CredentialError(
                "the private key in \(keyPlace) is encrypted; d365mm needs it unencrypted, in a file only root and the service user may read: openssl pkey -in KEY.pem -out KEY-plain.pem"
            )
        }
        guard let keyBlock = keyBlocks.first(where: { $0.label == "PRIVATE KEY" || $0.label == "RSA PRIVATE KEY" }) else {
            let other =
                keyBlocks.first { $0.label.hasSuffix("PRIVATE KEY") }.map { " (it holds a \($0.label), and Entra ID signs with RSA keys only)" } ?? ""
            throw CredentialError(
                "\(keyPlace) holds no RSA private key\(other); put the key in the certificate's file or name its file in D365_CLIENT_CERTIFICATE_KEY_FILE"
            )
        }
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: keyBlock.text)
        } catch {
            throw CredentialError("the private key in \(keyPlace) cannot be read as an RSA key of 2048 bits or more")
        }
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw CredentialError(
                "the private key in \(keyPlace) does not belong to the certificate in D365_CLIENT_CERTIFICATE_FILE (\(certificateFile))")
        }
    }

    /// A client assertion (RFC 7523) for `clientID` at the token endpoint `audience`, valid from `now` for `lifetime`
    /// seconds: PS256, `x5t#S256`, `iss` = `sub` = the client id, a fresh `jti`.
    public func assertion(clientID: String, audience: String, now: Date = Date(), lifetime: TimeInterval = 600) throws -> String {
        let issued = Int(now.timeIntervalSince1970)
        let header = #"{"alg":"PS256","typ":"JWT","x5t#S256":"\#(sha256Thumbprint)"}"#
        let claims = """
            {"aud":"\(Self.jsonEscaped(audience))","iss":"\(Self.jsonEscaped(clientID))","sub":"\(Self.jsonEscaped(clientID))",\
            "jti":"\(UUID().uuidString.lowercased())","nbf":\(issued),"iat":\(issued),"exp":\(issued + Int(lifetime))}
            """
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        let signature = try key.signature(for: SHA256.hash(data: Array(signingInput.utf8)), padding: .PSS)
        return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    private static func jsonEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// Why the certificate credential cannot be used, naming the variable and file.
public struct CredentialError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Base64 without padding, with `-` and `_`, as JSON Web Tokens write it.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
