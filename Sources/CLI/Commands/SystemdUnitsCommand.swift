import ArgumentParser
import ConnectorConfiguration
import Foundation
import Installation
import ProcessExit

extension D365MMCommand {
    struct SystemdUnitsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "systemd-units",
            abstract: "Render the systemd units (services and timers) from the configuration's intervals.",
            discussion: """
                The timers fire every FROM_ERP_INTERVAL and TO_ERP_INTERVAL (defaults 10min and 5min), on the calendar when \
                the interval divides an hour or a day (so Persistent=true catches up after downtime). Without --instance: \
                d365mm-from-erp and d365mm-to-erp .service/.timer for /etc/d365mm/d365mm.conf and /var/spool/d365mm. With \
                --instance NAME: the template units (d365mm-from-erp@.service, …) and NAME's interval drop-ins, for \
                /etc/d365mm/NAME.conf and /var/spool/d365mm/NAME. When the configuration names D365MM_CREDENTIALS_DIR \
                (d365mm config move-secrets does), a drop-in beside each service, credentials.conf, loads the secrets in it \
                with LoadCredential= or, for NAME.cred, LoadCredentialEncrypted=. When it names D365MM_METRICS_FILE, a drop-in, \
                metrics.conf, adds the file's folder to ReadWritePaths=. Written into --output DIR, or printed.
                """
        )

        @OptionGroup var options: ConfigurationOptions
        @Option(help: ArgumentHelp("Render the template units and this instance's drop-ins.", valueName: "name"))
        var instance: String?
        @Option(help: ArgumentHelp("Write the units into this directory (e.g. /etc/systemd/system) instead of printing them.", valueName: "dir"))
        var output: String?
        @Option(help: ArgumentHelp("The installed binary the services run.", valueName: "path"))
        var binary = "/usr/local/bin/d365mm"
        @Option(help: ArgumentHelp("The unprivileged user the services run as.", valueName: "user"))
        var user = "d365mm"
        @Option(
            help: ArgumentHelp(
                "A staging root (DESTDIR): read --config and the credentials, and write --output, under it; the units name the paths without it.",
                valueName: "dir"))
        var root = ""

        func validate() throws {
            if let instance, instance.isEmpty || !instance.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                throw ValidationError("--instance takes letters, digits, - and _ (it names /etc/d365mm/NAME.conf and /var/spool/d365mm/NAME)")
            }
        }

        func run() async throws {
            let root = String(root.reversed().drop { $0 == "/" }.reversed())
            let source = CommandEnvironment.source(configFile: options.config.map { root + $0 })
            var problems: [String] = []
            /// The setting's value, or its default's; `nil`, and a problem, when its text does not read.
            func checked<Value>(_ setting: Setting<Value>) -> Value? {
                guard let text = source.value(of: setting)?.value else { return nil }
                guard let value = setting.parse(text) else {
                    problems.append("\(setting.variable.displayName): \"\(text)\" is not \(setting.variable.check)")
                    return nil
                }
                return value
            }
            // Both intervals have defaults: a value is missing only when its text does not read.
            let from = checked(.fromERPInterval) ?? 0
            let to = checked(.toERPInterval) ?? 0
            let metricsFile = checked(.metricsFile) ?? nil
            let credentialsDirectory = source.value(of: .credentialsDirectory)?.value
            let credentials = credentialsDirectory.map { SystemdCredentials.stored(in: $0, under: root) } ?? []
            for variable in Set(credentials.map(\.variable)) where credentials.filter({ $0.variable == variable }).count > 1 {
                problems.append(
                    "D365MM_CREDENTIALS_DIR (\(credentialsDirectory ?? "")) holds both \(variable.name) and \(variable.name).cred: keep one")
            }
            guard problems.isEmpty else {
                printError("d365mm: configuration error:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
                throw ExitStatus.configuration.exitCode
            }
            if let credentialsDirectory, credentials.isEmpty {
                printError(
                    "d365mm: warning: D365MM_CREDENTIALS_DIR (\(credentialsDirectory)) holds no secret (\(Self.secretNames)): no credentials are loaded"
                )
            }
            let units = SystemdUnits(binary: binary, user: user)
            let rendered =
                (instance == nil
                    ? units.single(fromERPInterval: from, toERPInterval: to)
                    : units.templates(instance: instance, fromERPInterval: from, toERPInterval: to))
                + units.credentialDropIns(credentials, directory: credentialsDirectory ?? "", instance: instance)
                + units.metricsDropIns(metricsFile: metricsFile, instance: instance)
            guard let output else {
                for unit in rendered { print("### \(unit.path)\n\(unit.text)") }
                return
            }
            for unit in rendered {
                let path = "\(root)\(output)/\(unit.path)"
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try unit.text.write(toFile: path, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
                print(String(path.dropFirst(root.count)))
            }
            // A drop-in left from before would load credentials, or open a folder, no longer meant to be.
            for direction in SystemdUnits.directionNames {
                let stale =
                    (credentials.isEmpty ? [SystemdUnits.credentialDropIn(direction: direction, instance: instance)] : [])
                    + (metricsFile == nil ? [SystemdUnits.metricsDropIn(direction: direction, instance: instance)] : [])
                for dropIn in stale {
                    let path = "\(root)\(output)/\(dropIn)"
                    if (try? FileManager.default.removeItem(atPath: path)) != nil { print("removed \(path.dropFirst(root.count))") }
                }
            }
        }

        private static var secretNames: String {
            ConfigurationVariable.all.filter(\.fromFile).map(\.name).joined(separator: ", ")
        }
    }

    struct ConfigTemplate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "template",
            abstract: "Print a commented configuration file with every variable (what scripts/install lays down).")

        func run() async throws { print(ConfigurationTemplate.text(), terminator: "") }
    }
}
