import Foundation
import TestSupport
import Testing

/// Secrets moved out of the configuration file into systemd credentials: `d365mm config move-secrets`, the
/// `LoadCredential=` drop-ins `d365mm systemd-units` renders for them, and `scripts/install --credentials`.
struct CredentialInstallationTests {
    private static let clientSecret = "planted~ClientSecret.Credential_314"
    private static let mappingToken = "planted-MappingToken-Credential-271"
    private static let proxyPassword = "planted@ProxyPassword"
    private static let secrets = [clientSecret, mappingToken, proxyPassword, "planted%40ProxyPassword"]

    /// A complete configuration with the three secrets written in it, saved on Windows (CR LF).
    private static let configuration = """
        # the plant's connector\r
        D365_ENVIRONMENT_HOST=contoso.operations.dynamics.com\r
        D365_TENANT_ID=contoso.onmicrosoft.com\r
        D365_CLIENT_ID=0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f\r
        D365_CLIENT_SECRET="\(clientSecret)"\r
        MAPPING_SERVICE_TOKEN=\(mappingToken)\r
        MAPPING_SERVICE_URL=https://mapping.example.com/graphql\r
        MAPPING_AUTH_SERVICE_URL=https://auth.example.com/token\r
        D365_DEFAULT_SITE_ID=1\r
        D365_DEFAULT_DATA_AREA_ID=usmf\r
        https_proxy=http://svc-d365mm:planted%40ProxyPassword@proxy.plant.example:3128\r
        FROM_ERP_INTERVAL=15min\r

        """

    private func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    private func mode(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1 }

    private func showsNoSecret(_ texts: String...) -> Bool {
        !Self.secrets.contains { secret in texts.contains { $0.contains(secret) } }
    }

    /// The secret systemd would hand the service: what `systemd-creds decrypt` opens, or the plain file.
    private func opened(_ path: String, name: String) throws -> String {
        guard path.hasSuffix(".cred") else { return try text(path) }
        return try OtherProgram.run(["systemd-creds", "decrypt", "--name=\(name)", path, "-"]).standardOutput
    }

    @Test func secretsMoveIntoCredentialsThatTheUnitsLoadAndACommandRunByHandReads() async throws {
        try await withTemporaryDirectory { directory in
            let file = "\(directory)/plant.conf"
            try Self.configuration.write(toFile: file, atomically: true, encoding: .utf8)
            chmod(file, 0o600)
            let sealing = FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-creds")
            if !sealing { print("systemd-creds is not installed here: the secrets are moved as plain root-only files") }
            let suffix = sealing ? ".cred" : ""
            let credentials = "\(directory)/credentials/plant"

            let move = try await D365MMBinary.run(["config", "move-secrets", "--config", file])
            #expect(move.status == 0, "\(move.standardError)")
            for (name, line) in [("D365_CLIENT_SECRET", 5), ("MAPPING_SERVICE_TOKEN", 6), ("HTTPS_PROXY", 11)] {
                #expect(
                    move.standardOutput.contains("\(name): moved from \(file):\(line) to \(credentials)/\(name)\(suffix)"), "\(move.standardOutput)")
                #expect(try mode("\(credentials)/\(name)\(suffix)") == 0o600)
            }
            #expect(try mode(credentials) == 0o700, "only root reads the credentials")
            #expect(try opened("\(credentials)/D365_CLIENT_SECRET\(suffix)", name: "D365_CLIENT_SECRET") == Self.clientSecret)
            #expect(
                try opened("\(credentials)/HTTPS_PROXY\(suffix)", name: "HTTPS_PROXY")
                    == "http://svc-d365mm:planted%40ProxyPassword@proxy.plant.example:3128")
            if sealing {
                let sealed = try FileManager.default.contentsOfDirectory(atPath: credentials).map { try text("\(credentials)/\($0)") }.joined()
                #expect(showsNoSecret(sealed), "a sealed credential does not hold its secret in the clear")
            }
            let rewritten = try text(file)
            #expect(showsNoSecret(rewritten, move.standardOutput, move.standardError))
            #expect(
                rewritten.contains(
                    "# D365_CLIENT_SECRET moved to the systemd credential \(credentials)/D365_CLIENT_SECRET\(suffix) (d365mm config move-secrets, "))
            #expect(
                rewritten.hasPrefix("# the plant's connector\r\nD365_ENVIRONMENT_HOST=contoso.operations.dynamics.com\r\n"),
                "the other lines stay as they were")
            #expect(rewritten.contains("FROM_ERP_INTERVAL=15min\r\n") && rewritten.hasSuffix("D365MM_CREDENTIALS_DIR=\(credentials)\r\n"))
            #expect(try mode(file) == 0o600)

            // By hand, as root, the secrets are read from the directory.
            let check = try await D365MMBinary.run(["config", "check", "--config", file])
            #expect(check.status == 0, "\(check.standardError)")
            #expect(check.standardOutput.contains("[systemd credential \(credentials)/D365_CLIENT_SECRET\(suffix)]"), "\(check.standardOutput)")
            #expect(showsNoSecret(check.standardOutput, check.standardError))

            // Under systemd, the service's own $CREDENTIALS_DIRECTORY is read, not the directory as well.
            let loaded = "\(directory)/loaded"
            try FileManager.default.createDirectory(atPath: loaded, withIntermediateDirectories: false)
            for name in ["D365_CLIENT_SECRET", "MAPPING_SERVICE_TOKEN", "HTTPS_PROXY"] {
                try opened("\(credentials)/\(name)\(suffix)", name: name).write(toFile: "\(loaded)/\(name)", atomically: true, encoding: .utf8)
            }
            let service = try await D365MMBinary.run(["config", "check", "--config", file], environment: ["CREDENTIALS_DIRECTORY": loaded])
            #expect(
                service.status == 0 && service.standardOutput.contains("[systemd credential \(loaded)/MAPPING_SERVICE_TOKEN]"),
                "\(service.standardError)")

            // The units load them.
            let units = "\(directory)/units"
            let rendered = try await D365MMBinary.run(["systemd-units", "--config", file, "--output", units, "--binary", D365MMBinary.path])
            #expect(rendered.status == 0, "\(rendered.standardError)")
            let dropIn = try text("\(units)/d365mm-to-erp.service.d/credentials.conf")
            let directive = sealing ? "LoadCredentialEncrypted" : "LoadCredential"
            for name in ["D365_CLIENT_SECRET", "MAPPING_SERVICE_TOKEN", "HTTPS_PROXY"] {
                #expect(dropIn.contains("\n\(directive)=\(name):\(credentials)/\(name)\(suffix)\n"), "\(dropIn)")
            }
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
                let verify = try OtherProgram.run(
                    ["systemd-analyze", "verify", "--man=no", "\(units)/d365mm-to-erp.service"],
                    environment: ["SYSTEMD_UNIT_PATH": "\(units):"])
                #expect(verify.status == 0 && verify.standardError.isEmpty, "\(verify.standardError)")
            }

            // A new secret written into the file replaces the credential; --plain leaves no sealed copy behind.
            try (rewritten + "D365_CLIENT_SECRET=planted~ClientSecret.Rotated_2\r\n").write(toFile: file, atomically: true, encoding: .utf8)
            let twice = try await D365MMBinary.run(["config", "check", "--config", file])
            #expect(twice.status == 78 && twice.standardError.contains("is given in more than one place"), "until it is moved, it is in two places")
            let again = try await D365MMBinary.run(["config", "move-secrets", "--plain", "--config", file])
            #expect(
                again.status == 0
                    && again.standardOutput.contains("D365_CLIENT_SECRET: moved from \(file):14 to \(credentials)/D365_CLIENT_SECRET\n"),
                "\(again.standardOutput)\(again.standardError)")
            #expect(try text("\(credentials)/D365_CLIENT_SECRET") == "planted~ClientSecret.Rotated_2")
            #expect(!FileManager.default.fileExists(atPath: "\(credentials)/D365_CLIENT_SECRET.cred"))
            #expect((try await D365MMBinary.run(["config", "check", "--config", file])).status == 0)
            let nothing = try await D365MMBinary.run(["config", "move-secrets", "--config", file])
            #expect(nothing.status == 0 && nothing.standardOutput.contains("nothing moved"))
        }
    }

    @Test func aCommandRunByHandByAnotherUserIsToldWhyTheSecretsCannotBeRead() async throws {
        guard D365MMBinary.unprivilegedRunner != nil else {
            print("skipped: not root, or no setpriv, so the binary cannot be run as an unprivileged user here")
            return
        }
        try await withTemporaryDirectory { directory in
            chmod(directory, 0o755)
            let file = "\(directory)/plant.conf"
            try Self.configuration.write(toFile: file, atomically: true, encoding: .utf8)
            #expect((try await D365MMBinary.run(["config", "move-secrets", "--plain", "--config", file])).status == 0)
            chmod(file, 0o644)
            guard try await D365MMBinary.run(["--version"], unprivileged: true).status == 0 else {
                print("skipped: nobody cannot run \(D365MMBinary.path) here")
                return
            }
            let check = try await D365MMBinary.run(["config", "check", "--config", file], unprivileged: true)
            #expect(check.status == 78)
            #expect(
                check.standardError.contains(
                    "D365MM_CREDENTIALS_DIR: \(directory)/credentials/plant cannot be read by this user, so the secrets in it are not: run d365mm as root, or under systemd"
                ),
                "\(check.standardError)")
            #expect(showsNoSecret(check.standardOutput, check.standardError))
        }
    }

    @Test func installLaysTheSecretsDownAsCredentialsAndTheUnitsLoadThemFromTheRealPaths() async throws {
        try await withTemporaryDirectory { stage in
            let install = ["\(InstallationTests.packageRoot)/scripts/install", "--binary", D365MMBinary.path]
            #expect(try OtherProgram.run(install, environment: ["DESTDIR": stage]).status == 0)
            try Self.configuration.write(toFile: stage + "/etc/d365mm/d365mm.conf", atomically: true, encoding: .utf8)
            let moved = try OtherProgram.run(install + ["--credentials"], environment: ["DESTDIR": stage])
            #expect(moved.status == 0, "\(moved.standardOutput)\(moved.standardError)")
            #expect(
                moved.standardOutput.contains(
                    "D365_CLIENT_SECRET: moved from /etc/d365mm/d365mm.conf:5 to /etc/d365mm/credentials/d365mm/D365_CLIENT_SECRET\n"),
                "staged secrets stay plain: \(moved.standardOutput)")
            #expect(showsNoSecret(moved.standardOutput, moved.standardError, try text(stage + "/etc/d365mm/d365mm.conf")))
            #expect(try text(stage + "/etc/d365mm/credentials/d365mm/MAPPING_SERVICE_TOKEN") == Self.mappingToken)
            #expect(try mode(stage + "/etc/d365mm/credentials/d365mm/MAPPING_SERVICE_TOKEN") == 0o600)
            #expect(try text(stage + "/etc/d365mm/d365mm.conf").hasSuffix("D365MM_CREDENTIALS_DIR=/etc/d365mm/credentials/d365mm\r\n"))
            let dropIn = try text(stage + "/etc/systemd/system/d365mm-from-erp.service.d/credentials.conf")
            #expect(dropIn.contains("\nLoadCredential=MAPPING_SERVICE_TOKEN:/etc/d365mm/credentials/d365mm/MAPPING_SERVICE_TOKEN\n"), "\(dropIn)")

            // Installing again keeps loading them; uninstalling removes the drop-ins with the units.
            #expect(try OtherProgram.run(install, environment: ["DESTDIR": stage]).status == 0)
            #expect(FileManager.default.fileExists(atPath: stage + "/etc/systemd/system/d365mm-to-erp.service.d/credentials.conf"))
            #expect(try OtherProgram.run(["\(InstallationTests.packageRoot)/scripts/uninstall"], environment: ["DESTDIR": stage]).status == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: stage + "/etc/systemd/system").isEmpty)
        }
    }
}
