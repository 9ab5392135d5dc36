import ArgumentParser
import ConnectorConfiguration
import Foundation
import Installation
import ProcessExit

extension D365MMCommand.Config {
    struct MoveSecrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move-secrets",
            abstract: "Move the secrets written in the configuration file into systemd credentials.",
            discussion: """
                Each secret set in the file itself (\(ConfigurationVariable.all.filter(\.fromFile).map(\.name).joined(separator: ", "))) \
                goes into a root-only directory (--to, else the file's D365MM_CREDENTIALS_DIR, else credentials/NAME beside \
                NAME.conf) as NAME.cred, sealed to this machine by systemd-creds encrypt, or as a plain file NAME (mode 600) with \
                --plain or where systemd-creds is missing. Its line in the file becomes a comment saying where it went, and the \
                file names the directory in D365MM_CREDENTIALS_DIR. Then render the units again (d365mm systemd-units; \
                scripts/install --credentials does both): systemd loads the secrets for the services with LoadCredential=, and a \
                command run by hand as root reads them from the directory. A secret is never printed. Run it again after \
                writing a new secret into the file: the credential is replaced.
                """
        )

        @OptionGroup var options: ConfigurationOptions
        @Option(help: ArgumentHelp("The directory for the credentials.", valueName: "dir"))
        var to: String?
        @Flag(help: "Write plain root-only files, not credentials sealed by systemd-creds.")
        var plain = false
        @Option(
            help: ArgumentHelp(
                "A staging root (DESTDIR): the files are under it, the configuration names the paths without it; secrets are then never sealed (a sealed credential opens only on the machine that sealed it).",
                valueName: "dir"))
        var root = ""

        func validate() throws {
            guard options.config != nil || CommandEnvironment.variables["D365MM_CONFIG"] != nil else {
                throw ValidationError("name the configuration file the secrets are in: --config FILE")
            }
        }

        func run() async throws {
            let root = String(root.reversed().drop { $0 == "/" }.reversed())
            let file = options.config ?? CommandEnvironment.variables["D365MM_CONFIG"] ?? ""
            let seal = !plain && root.isEmpty && SystemdCredentials.tool != nil
            do {
                let (directory, moved) = try SecretMove(configurationFile: file, root: root, seal: seal).run(into: to)
                guard !moved.isEmpty else {
                    print("no secret is written in \(file) itself: nothing moved")
                    return
                }
                for secret in moved {
                    print("\(secret.variable): moved from \(file):\(secret.line) to \(secret.path)")
                }
                print(
                    seal
                        ? "sealed by systemd-creds to this machine (its TPM2 chip or /var/lib/systemd/credential.secret)"
                        : "plain files only root may read" + (plain || !root.isEmpty ? "" : " (systemd-creds is not installed here)"))
                print("\(file) now sets D365MM_CREDENTIALS_DIR=\(directory)")
                print(
                    "next: render the units again so that systemd loads them: d365mm systemd-units --config \(file) --output /etc/systemd/system [--instance NAME], then systemctl daemon-reload"
                )
            } catch {
                printError("d365mm: \(error)")
                switch error.kind {
                case .configuration: throw ExitStatus.configuration.exitCode
                case .permission: throw ExitStatus.permissionDenied.exitCode
                case .other: throw ExitStatus.internalError.exitCode
                }
            }
        }
    }
}
