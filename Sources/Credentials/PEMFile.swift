import Crypto
import Foundation
import SwiftASN1
import X509

/// The PEM files an operator points D365_CLIENT_CERTIFICATE_FILE and D365_CLIENT_CERTIFICATE_KEY_FILE at; every
/// error names the variable and the file.
enum PEMFile {
    typealias Block = (label: String, text: String)

    /// The blocks of `file`: `-----BEGIN LABEL-----` … `-----END LABEL-----`, each whole.
    static func blocks(file: String, variable: String) throws(CredentialError) -> [Block] {
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot be read by this user (check its owner and mode)" : "does not exist"
            throw CredentialError("\(variable) (\(file)) \(reason)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var blocks: [Block] = []
        var rest = text[...]
        while let begin = rest.range(of: "-----BEGIN "), let labelEnd = rest[begin.upperBound...].range(of: "-----") {
            let label = String(rest[begin.upperBound..<labelEnd.lowerBound])
            guard let end = rest[labelEnd.upperBound...].range(of: "-----END \(label)-----") else { break }
            blocks.append((label, String(rest[begin.lowerBound..<end.upperBound])))
            rest = rest[end.upperBound...]
        }
        return blocks
    }

    /// The first certificate among the blocks of D365_CLIENT_CERTIFICATE_FILE, and its DER bytes.
    static func certificate(in blocks: [Block], file: String) throws(CredentialError) -> (certificate: Certificate, der: [UInt8]) {
        let place = "D365_CLIENT_CERTIFICATE_FILE (\(file))"
        guard let block = blocks.first(where: { $0.label == "CERTIFICATE" }) else {
            throw CredentialError("\(place) holds no -----BEGIN CERTIFICATE----- block")
        }
        do {
            let certificate = try Certificate(pemEncoded: block.text)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return (certificate, serializer.serializedBytes)
        } catch {
            throw CredentialError("the certificate in \(place) cannot be read: \(error)")
        }
    }

    /// The SHA-1 thumbprint in hex, as the Azure portal lists the certificates of an app registration.
    static func thumbprint(der: [UInt8]) -> String {
        Insecure.SHA1.hash(data: der).map { String(format: "%02X", $0) }.joined()
    }
}
