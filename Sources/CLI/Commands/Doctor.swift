import ArgumentParser
import Diagnostics
import Foundation
import ProcessExit

extension D365MMCommand {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check live: DNS and TLS to D365, the token, each entity's privilege, write access, MachineMetrics.",
            discussion: """
                Each check prints PASS or FAIL with what it found, and for a failure the fix in the setup guide's words: \
                the D365 host resolves and answers; Entra ID issues a token (each AADSTS error explained); every entity \
                the connector reads can be read (a 403 names the missing Data Services privilege, as in Option B of the \
                setup guide); the legal entity and site have open production orders; with WRITE_LTS_TO_D365, the journal \
                entity can be written (probed with a line D365 refuses on validation, so nothing is written) and, in \
                posting mode action, $metadata declares the posting action; MachineMetrics authenticates and answers. \
                Exit status: 0 when every check passes, else that of the most serious failure: 78, then 77, then 75, then 1.
                """
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let environment = try CommandEnvironment.load(configFile: options.config, label: "d365mm.doctor")
            let remote = try RemoteClients(environment, logger: environment.logger)
            let doctor = Diagnostics.Doctor(
                configuration: environment.configuration, tokens: remote.tokens, odata: remote.odata, journals: remote.journals,
                machineMetrics: remote.machineMetrics, http: remote.resilient, logger: environment.logger)
            let checks = await doctor.run { check in
                let verdict = check.warning ? "WARN" : check.passed ? "PASS" : "FAIL"
                let text = "\(verdict)  \(check.name): \(check.detail)" + (check.fix.map { "\n      fix: \($0)" } ?? "")
                print(environment.redactor.redact(text))
            }
            await remote.shutdown()
            let failed = checks.filter { !$0.passed }.count
            print(failed == 0 ? "All \(checks.count) checks passed." : "\(failed) of \(checks.count) checks failed.")
            let status = DoctorCheck.exitStatus(of: checks)
            if status != .success { throw status.exitCode }
        }
    }
}
