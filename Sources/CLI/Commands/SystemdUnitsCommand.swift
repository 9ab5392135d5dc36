import ArgumentParser
import ConnectorConfiguration
import Foundation
import Installation

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
                /etc/d365mm/NAME.conf and /var/spool/d365mm/NAME. Written into --output DIR, or printed.
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

        func validate() throws {
            if let instance, instance.isEmpty || !instance.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                throw ValidationError("--instance takes letters, digits, - and _ (it names /etc/d365mm/NAME.conf and /var/spool/d365mm/NAME)")
            }
        }

        func run() async throws {
            let source = ConfigurationSource(environment: ProcessInfo.processInfo.environment, filePath: options.config)
            var problems: [String] = []
            func interval(_ variable: ConfigurationVariable) -> TimeInterval {
                let text = source.value(of: variable)?.value ?? variable.defaultValue ?? ""
                guard let seconds = ValueParsers.timeSpan(text) else {
                    problems.append("\(variable.displayName): \"\(text)\" is not \(variable.check)")
                    return 0
                }
                return seconds
            }
            let from = interval(.fromERPInterval), to = interval(.toERPInterval)
            guard problems.isEmpty else {
                printError("d365mm: configuration error:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
                throw ExitStatus.configuration.exitCode
            }
            let units = SystemdUnits(binary: binary, user: user)
            let rendered = instance == nil ? units.single(fromERPInterval: from, toERPInterval: to)
                                           : units.templates(instance: instance, fromERPInterval: from, toERPInterval: to)
            guard let output else {
                for unit in rendered { print("### \(unit.path)\n\(unit.text)") }
                return
            }
            for unit in rendered {
                let path = "\(output)/\(unit.path)"
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try unit.text.write(toFile: path, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
                print(path)
            }
        }
    }

    struct ConfigTemplate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "template",
            abstract: "Print a commented configuration file with every variable (what scripts/install lays down).")

        func run() async throws { print(ConfigurationTemplate.text(), terminator: "") }
    }
}
