import Credentials
import Foundation
import Redaction

/// Turns raw values into a validated ``Configuration``, reporting every problem at once.
public enum ConfigurationLoader {
    public static func load(_ source: ConfigurationSource) throws(ConfigurationError) -> Configuration {
        var read = ConfigurationReader(source)
        var values: [String: any Sendable] = [:]
        for variable in ConfigurationVariable.all { values[variable.name] = read.value(of: variable) }
        let credential = credential(&read, Configuration(values: values, clientCredential: .secret(Secret(""))))
        guard read.problems.isEmpty, let credential else { throw ConfigurationError(problems: read.problems) }
        return Configuration(values: values, clientCredential: credential)
    }

    /// The client secret or the certificate, exactly one of them (`contracts/cli-and-config.md` § Secrets, identity …);
    /// `read` has noted that the secret is missing when neither is given.
    private static func credential(_ read: inout ConfigurationReader, _ values: Configuration) -> ClientCredential? {
        if values[.clientCertificateKeyFile] != nil && values[.clientCertificateFile] == nil {
            read.note(Setting.clientCertificateKeyFile.variable, "is set, but D365_CLIENT_CERTIFICATE_FILE, whose key it holds, is not")
        }
        switch (values[.clientSecret], values[.clientCertificateFile]) {
        case (let secret?, nil):
            return .secret(secret)
        case (nil, let certificateFile?):
            do {
                return .certificate(try ClientCertificate(certificateFile: certificateFile, keyFile: values[.clientCertificateKeyFile]))
            } catch {
                read.note(nil, error.description)
                return nil
            }
        case (_?, _?):
            read.note(
                Setting.clientSecret.variable,
                "is given, and so is D365_CLIENT_CERTIFICATE_FILE: the connector signs in with one of them; remove the secret once the certificate is registered with the app"
            )
            return nil
        case (nil, nil):
            return nil
        }
    }

    /// A value as an error may show it: on one line, a URL's password masked, long values cut.
    public static func shownValue(_ value: String) -> String {
        let shown = PrintableText.escaped(URLCredentials.masked(value))
        return shown.count <= 100 ? shown : shown.prefix(99) + "…"
    }
}
