import Credentials
import Foundation
import Redaction

/// Turns raw values into a validated ``Configuration``, reporting every problem at once.
public enum ConfigurationLoader {
    public static func load(_ source: ConfigurationSource) throws(ConfigurationError) -> Configuration {
        var read = ConfigurationReader(source)
        let configuration = Configuration(
            environmentURL: read.value(.environmentHost, ValueParsers.environmentURL),
            tenantID: read.value(.tenantID) { ValueParsers.isGUID($0) || ValueParsers.isDomainName($0) ? $0 : nil },
            clientID: read.value(.clientID) { ValueParsers.isGUID($0) ? $0 : nil },
            clientCredential: credential(&read),
            mappingServiceToken: Secret(read.text(.mappingServiceToken) ?? ""),
            mappingServiceURL: read.value(.mappingServiceURL, ValueParsers.serviceURL),
            mappingAuthServiceURL: read.value(.mappingAuthServiceURL, ValueParsers.serviceURL),
            siteID: read.text(.defaultSiteID) ?? "",
            dataAreaID: read.value(.defaultDataAreaID) { $0.contains(" ") || $0.contains("'") ? nil : $0.lowercased() },
            importLaborToMachineMetrics: read.value(.importLaborToMM, ValueParsers.boolean),
            writeLaborToD365: read.value(.writeLaborToD365, ValueParsers.boolean),
            journalKind: read.value(.journalKind) { Configuration.JournalKind(rawValue: $0.lowercased()) },
            postingMode: read.value(.postingMode) { Configuration.PostingMode(rawValue: $0.lowercased()) },
            reconciliationWindow: read.value(.reconciliationWindow, ValueParsers.reconciliationWindow),
            fromERPInterval: read.value(.fromERPInterval, ValueParsers.timeSpan),
            toERPInterval: read.value(.toERPInterval, ValueParsers.timeSpan),
            logLevel: read.value(.logLevel) { $0.lowercased() == "warning" ? .warn : Configuration.LogLevel(rawValue: $0.lowercased()) },
            machineMetricsRetryAttempts: read.value(.retryAttempts) { Int($0).flatMap { (0...20).contains($0) ? $0 : nil } },
            machineMetricsTimeout: TimeInterval(read.value(.timeoutSeconds) { Int($0).flatMap { (1...600).contains($0) ? $0 : nil } }),
            postingAction: read.value(.postingAction) { value in
                value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && value.first?.isLetter == true ? value : nil
            },
            authorityHost: read.value(.authorityHost, ValueParsers.serviceURL),
            spoolDirectory: read.text(.spoolDirectory) ?? "",
            retryBudget: TimeInterval(read.value(.retryBudget) { Int($0).flatMap { (0...3600).contains($0) ? $0 : nil } }),
            d365Concurrency: read.value(.concurrency) { Int($0).flatMap { (1...8).contains($0) ? $0 : nil } },
            archiveAfter: read.value(.archiveAfter, ValueParsers.reconciliationWindow),
            archiveKeep: read.value(.archiveKeep, ValueParsers.reconciliationWindow),
            archiveMaxBytes: read.value(.archiveMaxMB) { Int64($0).flatMap { (1...1_000_000).contains($0) ? $0 : nil } } * 1_048_576,
            proxies: ProxySettings(
                https: read.optional(.httpsProxy, ProxyServer.init(parsing:)), http: read.optional(.httpProxy, ProxyServer.init(parsing:)),
                bypass: read.optional(.noProxy, ProxyBypass.list(parsing:)) ?? []),
            caFile: read.optional(.caFile, ValueParsers.certificateFile),
            credentialsDirectory: read.optional(.credentialsDirectory) { path in
                // One this user may not look into is the source's to report.
                var status = stat()
                return stat(path, &status) == 0 ? (status.st_mode & S_IFMT == S_IFDIR ? path : nil) : (errno == EACCES ? path : nil)
            }
        )
        guard read.problems.isEmpty else { throw ConfigurationError(problems: read.problems) }
        return configuration
    }

    /// The client secret or the certificate, exactly one of them (`contracts/cli-and-config.md` § Secrets, identity …).
    private static func credential(_ read: inout ConfigurationReader) -> ClientCredential {
        let secret = read.text(.clientSecret, required: false)
        let certificateFile = read.text(.clientCertificateFile)
        let keyFile = read.text(.clientCertificateKeyFile)
        if keyFile != nil && certificateFile == nil {
            read.note(.clientCertificateKeyFile, "is set, but D365_CLIENT_CERTIFICATE_FILE, whose key it holds, is not")
        }
        switch (secret, certificateFile) {
        case (let secret?, nil):
            return .secret(Secret(secret))
        case (nil, let certificateFile?):
            do {
                return .certificate(try ClientCertificate(certificateFile: certificateFile, keyFile: keyFile))
            } catch {
                read.note(nil, error.description)
                return .secret(.placeholder)
            }
        case (_?, _?):
            read.note(
                .clientSecret,
                "is given, and so is D365_CLIENT_CERTIFICATE_FILE: the connector signs in with one of them; remove the secret once the certificate is registered with the app"
            )
            return .secret(.placeholder)
        case (nil, nil):
            read.note(.clientSecret, "is required unless D365_CLIENT_CERTIFICATE_FILE is set; expected \(ConfigurationVariable.clientSecret.check)")
            return .secret(.placeholder)
        }
    }

    /// A value as an error may show it: on one line, a URL's password masked, long values cut.
    public static func shownValue(_ value: String) -> String {
        let shown = PrintableText.escaped(URLCredentials.masked(value))
        return shown.count <= 100 ? shown : shown.prefix(99) + "…"
    }
}
