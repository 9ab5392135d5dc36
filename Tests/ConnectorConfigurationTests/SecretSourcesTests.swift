import ConnectorConfiguration
import Foundation
import Testing

/// A secret from the variable itself, from the file `<NAME>_FILE` names, or from a systemd credential: one place only
/// (`contracts/cli-and-config.md` § Secrets, identity and the network of a plant).
struct SecretSourcesTests {
    private static let secret = "planted~FileSecret.Value_789"

    /// A folder with `files` in it, for `body`.
    private func withFiles(_ files: [String: String], mode: Int = 0o600, _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("d365mm-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
            chmod("\(directory)/\(name)", mode_t(mode))
        }
        try body(directory)
    }

    /// The valid environment without `removed`, with `extra`.
    private func environment(without removed: String? = nil, _ extra: [String: String]) -> [String: String] {
        ConfigurationLoaderTests.valid.filter { $0.key != removed }.merging(extra) { $1 }
    }

    @Test func aSecretComesFromTheFileItsFileVariableNamesWithoutItsLineEnd() throws {
        try withFiles(["client-secret": Self.secret + "\n"]) { directory in
            let source = ConfigurationSource(
                environment: environment(without: "D365_CLIENT_SECRET", ["D365_CLIENT_SECRET_FILE": "\(directory)/client-secret"]),
                filePath: nil)
            let configuration = try ConfigurationLoader.load(source)
            #expect(configuration[.clientSecret]?.revealed == Self.secret)
            #expect(
                source.value(of: .clientSecret)?.origin.description
                    == "file \(directory)/client-secret, named by D365_CLIENT_SECRET_FILE (environment)")
            #expect(source.warnings.isEmpty, "\(source.warnings)")
        }
    }

    @Test func aSecretComesFromASystemdCredential() throws {
        try withFiles(["MAPPING_SERVICE_TOKEN": Self.secret]) { directory in
            let source = ConfigurationSource(
                environment: environment(without: "MAPPING_SERVICE_TOKEN", ["CREDENTIALS_DIRECTORY": directory]), filePath: nil)
            let configuration = try ConfigurationLoader.load(source)
            #expect(configuration[.mappingServiceToken].revealed == Self.secret)
            #expect(source.value(of: .mappingServiceToken)?.origin.description == "systemd credential \(directory)/MAPPING_SERVICE_TOKEN")
        }
    }

    @Test func theSameSecretFromTwoPlacesIsAnErrorNamingBothAndShowingNeither() throws {
        try withFiles(["D365_CLIENT_SECRET": Self.secret, "other": "another~Secret.Value_000"]) { directory in
            let source = ConfigurationSource(
                environment: environment([
                    "D365_CLIENT_SECRET_FILE": "\(directory)/other",
                    "CREDENTIALS_DIRECTORY": directory,
                ]), filePath: nil)
            let shown = source.everythingShown
            #expect(
                shown.contains("D365_CLIENT_SECRET (D365 Client Secret): is given in more than one place (environment and file \(directory)/other"),
                "\(shown)")
            #expect(shown.contains("systemd credential \(directory)/D365_CLIENT_SECRET"))
            #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(source) }
            #expect(!shown.contains(Self.secret) && !shown.contains("another~Secret"))
        }
    }

    @Test func aSecretFileThatIsMissingEmptyOrReadableByOthersIsNamed() throws {
        try withFiles(["empty": "\n", "open": Self.secret], mode: 0o644) { directory in
            let missing = ConfigurationSource(
                environment: environment(without: "D365_CLIENT_SECRET", ["D365_CLIENT_SECRET_FILE": "\(directory)/gone"]), filePath: nil)
            #expect(
                missing.everythingShown.contains(
                    "comes from file \(directory)/gone, named by D365_CLIENT_SECRET_FILE (environment), which does not exist"))
            let empty = ConfigurationSource(
                environment: environment(without: "D365_CLIENT_SECRET", ["D365_CLIENT_SECRET_FILE": "\(directory)/empty"]), filePath: nil)
            #expect(empty.everythingShown.contains("which is empty"))
            let open = ConfigurationSource(
                environment: environment(without: "D365_CLIENT_SECRET", ["D365_CLIENT_SECRET_FILE": "\(directory)/open"]), filePath: nil)
            #expect(open.warnings.contains { $0.contains("\(directory)/open holds D365_CLIENT_SECRET and can be read by other users") })
            #expect(!open.everythingShown.contains(Self.secret))
        }
    }

    @Test func theFileVariableMayBeSetInTheConfigurationFile() throws {
        try withFiles(["client-secret": Self.secret]) { directory in
            let lines = environment(without: "D365_CLIENT_SECRET", ["D365_CLIENT_SECRET_FILE": "\(directory)/client-secret"]).map {
                "\($0.key)=\($0.value)"
            }
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(directory)/d365mm.conf"))
            let source = ConfigurationSource(environment: [:], filePath: "\(directory)/d365mm.conf")
            let configuration = try ConfigurationLoader.load(source)
            #expect(configuration[.clientSecret]?.revealed == Self.secret)
            #expect(
                source.value(of: .clientSecret)?.origin.description.hasPrefix(
                    "file \(directory)/client-secret, named by D365_CLIENT_SECRET_FILE (\(directory)/d365mm.conf:") == true)
            #expect(!source.warnings.contains { $0.contains("unknown variable") })
        }
    }
}
