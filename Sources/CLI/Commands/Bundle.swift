import ArgumentParser
import ConnectorConfiguration
import Foundation
import Operations
import Redaction
import Spool
import StateStore

extension D365MMCommand {
    struct Bundle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a redacted support bundle (.tar.gz) and print its path and an id to quote.",
            discussion: """
                The bundle holds: status --json; the configuration with every secret masked and where each value came \
                from; tool and system versions (d365mm, kernel, OS, sqlite, libarchive); a summary of the state \
                database; a listing of the spool; the run logs in log/; the files in failed/ and hold/; the newest \
                archives, unpacked; and manifest.json saying what each collector gathered or why it could not. \
                Secrets are masked while collecting: the configured client secret and mapping token by value, access \
                tokens issued to earlier runs by the digests the state database keeps, and anything shaped like a \
                credential. Reads only; takes no lock.
                """
        )

        @OptionGroup var options: ConfigurationOptions
        @Option(help: ArgumentHelp("The directory to write the bundle into (default /var/tmp, else the current directory).", valueName: "dir"))
        var output: String?
        @Option(help: ArgumentHelp("How many of the newest run archives to include.", valueName: "count"))
        var archives = 10
        @Option(help: ArgumentHelp("The most megabytes of spool files and archives to include.", valueName: "MB"))
        var maxMb = 100

        func run() async throws {
            let source = CommandEnvironment.source(configFile: options.config)
            let spool = try SpoolLocation.resolve(configFile: options.config)
            let (database, databaseProblem) = StateReading.open(spool)
            let secrets = ConfigurationVariable.all.filter(\.isSecret).compactMap { source.value(of: $0)?.value }
            let redactor = BundleRedactor(secrets: secrets, tokenDigests: (try? database?.tokenDigests()) ?? [])
            var configuration = ConfigurationListing.lines(source)
            do {
                _ = try ConfigurationLoader.load(source)
                configuration.insert("The configuration is valid.", at: 0)
            } catch {
                configuration.insert("The configuration is NOT valid: \(error.description)", at: 0)
            }
            configuration += source.warnings.map { "warning: \($0)" }
            let bundle = SupportBundle(
                spool: spool, database: database, configurationText: configuration.joined(separator: "\n") + "\n",
                toolVersion: D365MMVersion.current, redactor: redactor,
                options: .init(archives: archives, maxBytes: Int64(maxMb) * 1_048_576))
            let directory = output ?? (access("/var/tmp", W_OK) == 0 ? "/var/tmp" : FileManager.default.currentDirectoryPath)
            var status = try StatusReport.gather(spool: spool, database: database, timers: SystemdTimers.list())
            status.databaseProblem = databaseProblem
            status.credentialNotice = CredentialExpiry.notice(configFile: options.config)
            let written = try bundle.write(into: directory, status: status)
            print("support bundle written: \(written.path)")
            print("quote this id to support: \(written.id)")
        }
    }
}
