import ArgumentParser
import ConnectorConfiguration
import Foundation

extension D365MMCommand {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Inspect the configuration.", subcommands: [Check.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate the configuration and print it with secrets masked.",
                discussion: "Prints every variable with its effective value and where it came from (environment, file:line or default). Exits 78 when anything is wrong, naming every problem."
            )

            @OptionGroup var options: ConfigurationOptions

            func run() async throws {
                let environment = try CommandEnvironment.load(configFile: options.config, label: "d365mm.config")
                let source = environment.source
                let width = ConfigurationVariable.all.map(\.name.count).max() ?? 0
                var lines = ["configuration is valid" + (source.filePath.map { " (file \($0); the environment wins over it)" } ?? " (environment only)")]
                for variable in ConfigurationVariable.all {
                    let entry = source.value(of: variable)
                    let shown = variable.isSecret ? (entry == nil ? "(not set)" : "********") : (entry?.value ?? "(not set)")
                    let origin = entry?.origin.description ?? ""
                    lines.append("\(variable.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(shown)  [\(origin)]")
                }
                print(environment.redactor.redact(lines.joined(separator: "\n")))
            }
        }
    }
}
