import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// A certificate registered with the simulated app, as an administrator uploads one under "Certificates & secrets".
struct RegisteredCertificate: Sendable {
    /// The base64url SHA-256 of its DER: what an assertion's `x5t#S256` names.
    let sha256Thumbprint: String
    /// The base64url SHA-1 of its DER: what an older client's `x5t` names instead.
    let sha1Thumbprint: String
    let publicKey: _RSA.Signing.PublicKey

    init(pem: String) throws(SimulatorError) {
        do {
            let certificate = try Certificate(pemEncoded: pem)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
                throw SimulatorError("a client certificate must hold an RSA key: Entra ID signs with RSA keys only")
            }
            publicKey = key
            sha256Thumbprint = ClientAssertionCheck.base64URL(Array(SHA256.hash(data: serializer.serializedBytes)))
            sha1Thumbprint = ClientAssertionCheck.base64URL(Array(Insecure.SHA1.hash(data: serializer.serializedBytes)))
        } catch let error as SimulatorError {
            throw error
        } catch {
            throw SimulatorError("the client certificate cannot be read: \(error)")
        }
    }
}

/// Checks a client assertion (RFC 7523) as Entra ID does: a certificate the app registered, a valid RS256 or PS256
/// signature, the token endpoint as audience, the client as issuer and subject, a lifetime of at most ten minutes that
/// includes now, and a `jti` not seen before.
struct ClientAssertionCheck {
    /// Why an assertion is refused: the AADSTS code Entra ID answers with (`nil` where it has none documented) and text.
    struct Refusal: Error {
        let code: Int?
        let text: String
    }

    let certificates: [RegisteredCertificate]
    let clientID: String
    /// The token endpoint's URL, as the client was told it.
    let tokenEndpoint: String

    /// The assertion's `jti` when it passes.
    func check(_ assertion: String, now: Date) throws(Refusal) -> String {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Self.decode(parts[0]), let claimBytes = Self.decode(parts[1]),
            let signature = Self.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: Data(claimBytes)) as? [String: Any]
        else {
            throw Refusal(code: 50027, text: "Invalid JWT token. The token is malformed.")
        }
        let padding: _RSA.Signing.Padding
        switch header["alg"] as? String {
        case "PS256": padding = .PSS
        case "RS256": padding = .insecurePKCS1v1_5
        default: throw Refusal(code: 700027, text: "Client assertion failed signature validation. The signing algorithm is not supported.")
        }
        // MSAL pads its base64url thumbprints with `=`, which Entra ID takes as well.
        let sha256 = (header["x5t#S256"] as? String)?.trimmingCharacters(in: ["="])
        let sha1 = (header["x5t"] as? String)?.trimmingCharacters(in: ["="])
        guard let certificate = certificates.first(where: { sha256 != nil ? $0.sha256Thumbprint == sha256 : $0.sha1Thumbprint == sha1 }) else {
            throw Refusal(
                code: 700027,
                text:
                    "Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '\(sha256 ?? sha1 ?? "none")'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '\(clientID)'.]"
            )
        }
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        guard
            certificate.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signingInput),
                padding: padding)
        else {
            throw Refusal(
                code: 700027,
                text:
                    "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]"
            )
        }
        guard (claims["aud"] as? String) == tokenEndpoint else {
            throw Refusal(
                code: 700023,
                text: "Client assertion audience claim does not match Realm issuer. Review the documentation at https://aka.ms/certCreds.")
        }
        guard (claims["iss"] as? String) == clientID, (claims["sub"] as? String) == clientID else {
            throw Refusal(
                code: 700021,
                text:
                    "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://aka.ms/certCreds."
            )
        }
        let seconds = now.timeIntervalSince1970
        // Without `nbf` the lifetime counts from `iat`, as MSAL writes them; a second of slack absorbs their fractions.
        guard let expires = claims["exp"] as? Double, let notBefore = (claims["nbf"] ?? claims["iat"]) as? Double, expires - notBefore <= 601,
            notBefore - 300 <= seconds, seconds < expires
        else {
            throw Refusal(
                code: 700024, text: "Client assertion is not within its valid time range. Review the documentation at https://aka.ms/certCreds.")
        }
        guard let jti = claims["jti"] as? String, !jti.isEmpty else {
            throw Refusal(code: 50027, text: "Invalid JWT token. The token has no 'jti' claim.")
        }
        return jti
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
