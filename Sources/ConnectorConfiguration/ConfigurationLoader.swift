import Credentials
import Foundation
import Redaction

/// Turns raw values into a validated ``Configuration``, reporting every problem at once.
public enum ConfigurationLoader {
    public static func load(_ source: ConfigurationSource) throws(ConfigurationError) -> Configuration {
        var problems = source.problems
        typealias Variable = ConfigurationVariable

        func raw(_ variable: Variable, required: Bool? = nil) -> String? {
            guard let value = source.value(of: variable)?.value.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                if required ?? variable.isRequired {
                    problems.append(.init(variable: variable, message: "is required but not set; expected \(variable.check)"))
                }
                return nil
            }
            return value
        }
        func invalid(_ variable: Variable, _ value: String) {
            let shown = variable.isSecret ? "" : " (got \"\(shownValue(value))\")"
            problems.append(.init(variable: variable, message: "must be \(variable.check)\(shown)"))
        }
        func parsed<T>(_ variable: Variable, _ parse: (String) -> T?) -> T? {
            guard let value = raw(variable) else { return nil }
            guard let result = parse(value) else {
                invalid(variable, value)
                return nil
            }
            return result
        }

        let environmentURL = parsed(.environmentHost, ValueParsers.environmentURL)
        let tenantID = parsed(.tenantID) { ValueParsers.isGUID($0) || ValueParsers.isDomainName($0) ? $0 : nil }
        let clientID = parsed(.clientID) { ValueParsers.isGUID($0) ? $0 : nil }
        let clientCredential = credential(
            secret: raw(.clientSecret, required: false), certificateFile: raw(.clientCertificateFile),
            keyFile: raw(.clientCertificateKeyFile), problems: &problems)
        let mappingServiceToken = raw(.mappingServiceToken)
        let mappingServiceURL = parsed(.mappingServiceURL, ValueParsers.serviceURL)
        let mappingAuthServiceURL = parsed(.mappingAuthServiceURL, ValueParsers.serviceURL)
        let siteID = raw(.defaultSiteID)
        let dataAreaID = parsed(.defaultDataAreaID) { $0.contains(" ") || $0.contains("'") ? nil : $0.lowercased() }
        let importLabor = parsed(.importLaborToMM, ValueParsers.boolean)
        let writeLabor = parsed(.writeLaborToD365, ValueParsers.boolean)
        let journalKind = parsed(.journalKind) { Configuration.JournalKind(rawValue: $0.lowercased()) }
        let postingMode = parsed(.postingMode) { Configuration.PostingMode(rawValue: $0.lowercased()) }
        let window = parsed(.reconciliationWindow, ValueParsers.reconciliationWindow)
        let fromInterval = parsed(.fromERPInterval, ValueParsers.timeSpan)
        let toInterval = parsed(.toERPInterval, ValueParsers.timeSpan)
        let logLevel = parsed(.logLevel) { value in
            value.lowercased() == "warning" ? .warn : Configuration.LogLevel(rawValue: value.lowercased())
        }
        let retryAttempts = parsed(.retryAttempts) { Int($0).flatMap { (0...20).contains($0) ? $0 : nil } }
        let timeout = parsed(.timeoutSeconds) { Int($0).flatMap { (1...600).contains($0) ? $0 : nil } }
        let postingAction = parsed(.postingAction) { value in
            value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && value.first?.isLetter == true ? value : nil
        }
        let authorityHost = parsed(.authorityHost, ValueParsers.serviceURL)
        let spoolDirectory = raw(.spoolDirectory)
        let retryBudget = parsed(.retryBudget) { Int($0).flatMap { (0...3600).contains($0) ? $0 : nil } }
        let concurrency = parsed(.concurrency) { Int($0).flatMap { (1...8).contains($0) ? $0 : nil } }
        let archiveAfter = parsed(.archiveAfter, ValueParsers.reconciliationWindow)
        let archiveKeep = parsed(.archiveKeep, ValueParsers.reconciliationWindow)
        let archiveMaxMB = parsed(.archiveMaxMB) { Int64($0).flatMap { (1...1_000_000).contains($0) ? $0 : nil } }
        let caFile = parsed(.caFile, ValueParsers.certificateFile)
        _ = parsed(.credentialsDirectory) { path in
            // One this user may not look into is the source's to report.
            var status = stat()
            return stat(path, &status) == 0 ? (status.st_mode & S_IFMT == S_IFDIR ? path : nil) : (errno == EACCES ? path : nil)
        }
        let proxies = ProxySettings(
            https: parsed(.httpsProxy, ProxyServer.init(parsing:)), http: parsed(.httpProxy, ProxyServer.init(parsing:)),
            bypass: parsed(.noProxy, ProxyBypass.list(parsing:)) ?? [])

        guard problems.isEmpty, let environmentURL, let tenantID, let clientID, let clientCredential, let mappingServiceToken,
            let mappingServiceURL, let mappingAuthServiceURL, let siteID, let dataAreaID, let importLabor, let writeLabor,
            let journalKind, let postingMode, let window, let fromInterval, let toInterval, let logLevel, let retryAttempts,
            let timeout, let postingAction, let authorityHost, let spoolDirectory, let retryBudget, let concurrency,
            let archiveAfter, let archiveKeep, let archiveMaxMB
        else {
            throw ConfigurationError(problems: problems)
        }
        return Configuration(
            environmentURL: environmentURL, tenantID: tenantID, clientID: clientID, clientCredential: clientCredential,
            mappingServiceToken: Secret(mappingServiceToken), mappingServiceURL: mappingServiceURL,
            mappingAuthServiceURL: mappingAuthServiceURL, siteID: siteID, dataAreaID: dataAreaID,
            importLaborToMachineMetrics: importLabor, writeLaborToD365: writeLabor, journalKind: journalKind, postingMode: postingMode,
            reconciliationWindow: window, fromERPInterval: fromInterval, toERPInterval: toInterval, logLevel: logLevel,
            machineMetricsRetryAttempts: retryAttempts, machineMetricsTimeout: TimeInterval(timeout), postingAction: postingAction,
            authorityHost: authorityHost, spoolDirectory: spoolDirectory, retryBudget: TimeInterval(retryBudget), d365Concurrency: concurrency,
            archiveAfter: archiveAfter, archiveKeep: archiveKeep, archiveMaxBytes: archiveMaxMB * 1_048_576, proxies: proxies,
            caFile: caFile
        )
    }

    /// The client secret or the certificate, exactly one of them (`contracts/cli-and-config.md` § Secrets, identity …).
    private static func credential(
        secret: String?, certificateFile: String?, keyFile: String?,
        problems: inout [ConfigurationProblem]
    ) -> ClientCredential? {
        if keyFile != nil && certificateFile == nil {
            problems.append(
                .init(variable: .clientCertificateKeyFile, message: "is set, but D365_CLIENT_CERTIFICATE_FILE, whose key it holds, is not"))
        }
        switch (secret, certificateFile) {
        case (let secret?, nil):
            return .secret(Secret(secret))
        case (nil, let certificateFile?):
            do {
                return .certificate(try ClientCertificate(certificateFile: certificateFile, keyFile: keyFile))
            } catch {
                problems.append(.init(variable: nil, message: error.description))
                return nil
            }
        case (_?, _?):
            problems.append(
                .init(
                    variable: .clientSecret,
                    message:
                        "is given, and so is D365_CLIENT_CERTIFICATE_FILE: the connector signs in with one of them; remove the secret once the certificate is registered with the app"
                ))
            return nil
        case (nil, nil):
            problems.append(
                .init(
                    variable: .clientSecret,
                    message: "is required unless D365_CLIENT_CERTIFICATE_FILE is set; expected \(ConfigurationVariable.clientSecret.check)"))
            return nil
        }
    }

    /// A value as an error may show it: on one line, a URL's password masked, long values cut.
    public static func shownValue(_ value: String) -> String {
        let shown = PrintableText.escaped(URLCredentials.masked(value))
        return shown.count <= 100 ? shown : shown.prefix(99) + "…"
    }
}
