import ArgumentParser
import ConnectorConfiguration
import Foundation

extension D365MMCommand {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect the configuration.", subcommands: [Check.self, ConfigTemplate.self, MoveSecrets.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate the configuration and print it with secrets masked.",
                discussion:
                    "Prints every variable with its effective value and where it came from (environment, file:line or default). Exits 78 when anything is wrong, naming every problem."
            )

            @OptionGroup var options: ConfigurationOptions

            func run() async throws {
                let environment = try CommandEnvironment.load(configFile: options.config, label: "d365mm.config")
                let source = environment.source
                let header =
                    "configuration is valid" + (source.filePath.map { " (file \($0); the environment wins over it)" } ?? " (environment only)")
                print(environment.redactor.redact(([header] + ConfigurationListing.lines(source)).joined(separator: "\n")))
            }
        }
    }
}

/// Every variable with its effective value (secrets masked) and where it came from.
enum ConfigurationListing {
    static func lines(_ source: ConfigurationSource) -> [String] {
        let width = ConfigurationVariable.all.map(\.name.count).max() ?? 0
        return ConfigurationVariable.all.map { variable in
            let entry = source.value(of: variable)
            let shown =
                variable.isSecret ? (entry == nil ? "(not set)" : "********") : entry.map { ConfigurationLoader.shownValue($0.value) } ?? "(not set)"
            return "\(variable.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(shown)  [\(entry?.origin.description ?? "")]"
        }
    }
}
