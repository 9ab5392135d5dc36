import Foundation

/// What an operator needs to know of the app registration's certificate: which one it is, as the Azure portal lists it,
/// and when it stops working.
public struct CertificateSummary: Sendable, Equatable {
    /// The subject, as RFC 4514 writes a name.
    public let subject: String
    /// The SHA-1 thumbprint in hex, as the Azure portal shows it.
    public let thumbprint: String
    public let notValidAfter: Date

    /// How long before expiry `status` and `doctor` start to warn.
    public static let warningPeriod: TimeInterval = 30 * 86_400

    public init(_ certificate: ClientCertificate) {
        subject = certificate.subject
        thumbprint = certificate.thumbprint
        notValidAfter = certificate.notValidAfter
    }

    /// The first certificate in D365_CLIENT_CERTIFICATE_FILE; its key is not needed.
    public init(certificateFile path: String) throws(CredentialError) {
        let (certificate, der) = try PEMFile.certificate(in: PEMFile.blocks(file: path, variable: "D365_CLIENT_CERTIFICATE_FILE"), file: path)
        subject = certificate.subject.description
        thumbprint = PEMFile.thumbprint(der: der)
        notValidAfter = certificate.notValidAfter
    }

    /// `subject, thumbprint T, valid until YYYY-MM-DD`.
    public var description: String {
        "\(subject), thumbprint \(thumbprint), valid until \(Self.day(notValidAfter))"
    }

    /// What to tell the operator when the certificate has expired or expires within ``warningPeriod``; `nil` otherwise.
    public func expiryNotice(now: Date = Date()) -> String? {
        let left = notValidAfter.timeIntervalSince(now)
        guard left < Self.warningPeriod else { return nil }
        let when =
            left <= 0
            ? "expired on \(Self.day(notValidAfter))" : "expires on \(Self.day(notValidAfter)), in \(Int((left / 86_400).rounded(.up))) day(s)"
        return "the certificate of D365_CLIENT_CERTIFICATE_FILE (\(subject), thumbprint \(thumbprint)) \(when): upload a new one to the app "
            + "registration (Certificates & secrets > Certificates) and point D365_CLIENT_CERTIFICATE_FILE at it"
    }

    private static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
