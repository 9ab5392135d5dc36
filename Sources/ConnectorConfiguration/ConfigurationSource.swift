import Foundation

/// The raw configuration values and where each came from: the environment wins over the file, and a secret may come
/// from a file of its own or a systemd credential instead (`contracts/cli-and-config.md` § Secrets).
public struct ConfigurationSource: Sendable {
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case environment
        case file(String, line: Int)
        case defaultValue
        /// The file a `<NAME>_FILE` variable named, and where that variable was set.
        indirect case secretFile(String, variable: String, setIn: Origin)
        /// The systemd credential of that name: in `$CREDENTIALS_DIRECTORY`, or by hand in `D365MM_CREDENTIALS_DIR`.
        case credential(String)

        public var description: String {
            switch self {
            case .environment: return "environment"
            case .file(let path, let line): return "\(path):\(line)"
            case .defaultValue: return "default"
            case .secretFile(let path, let variable, let setIn): return "file \(path), named by \(variable) (\(setIn))"
            case .credential(let path): return "systemd credential \(path)"
            }
        }
    }

    public private(set) var values: [String: (value: String, origin: Origin)] = [:]
    /// Things worth telling the operator that are not errors (unknown keys in the file, a readable secret).
    public private(set) var warnings: [String] = []
    /// Problems with the file itself (unreadable, malformed lines), and with the places a secret came from.
    public private(set) var problems: [ConfigurationProblem] = []
    /// The configuration file, when one was named.
    public let filePath: String?

    /// Reads the file named by `filePath` (or by `D365MM_CONFIG` in `environment`), then the environment over it, then
    /// the secrets' own files and systemd credentials (`CREDENTIALS_DIRECTORY`, or else `D365MM_CREDENTIALS_DIR`).
    public init(environment: [String: String], filePath explicitPath: String?) {
        let path = explicitPath ?? environment["D365MM_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        filePath = path
        let inFile = path.map { readFile($0) } ?? [:]
        func lookUp(_ names: [String]) -> (value: String, origin: Origin)? {
            for name in names {
                if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty { return (value, .environment) }
            }
            for name in names {
                if let entry = inFile[name], let path { return (entry.value, .file(path, line: entry.line)) }
            }
            return nil
        }
        let credentials = environment["CREDENTIALS_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0 }
        // Outside systemd (a command run by hand) the credentials are read where the units load them from.
        let storedDirectory = credentials == nil ? lookUp(Setting.credentialsDirectory.variable.spellings)?.value : nil
        let stored = storedDirectory.map { SystemdCredentials.stored(in: $0) } ?? []
        if let storedDirectory, access(storedDirectory, R_OK | X_OK) != 0, errno == EACCES {
            problems.append(
                ConfigurationProblem(
                    variable: Setting.credentialsDirectory.variable,
                    message: "\(storedDirectory) cannot be read by this user, so the secrets in it are not: \(Self.credentialsByHand)"))
        }
        for variable in ConfigurationVariable.all {
            var places = lookUp(variable.spellings).map { [$0] } ?? []
            if variable.fromFile {
                if let named = lookUp([variable.fileVariable]) {
                    places += readSecret(
                        at: named.value, for: variable, origin: .secretFile(named.value, variable: variable.fileVariable, setIn: named.origin))
                }
                if let credentials, FileManager.default.fileExists(atPath: "\(credentials)/\(variable.name)") {
                    let credential = "\(credentials)/\(variable.name)"
                    places += readSecret(at: credential, for: variable, origin: .credential(credential))
                }
                for credential in stored where credential.variable == variable {
                    places += readSecret(at: credential.path, for: variable, origin: .credential(credential.path), sealed: credential.isEncrypted)
                }
            }
            if places.count > 1 {
                let origins = places.map(\.origin.description).joined(separator: " and ")
                problems.append(ConfigurationProblem(variable: variable, message: "is given in more than one place (\(origins)); keep one"))
            }
            values[variable.name] = places.first
        }
    }

    /// Only root reads the credentials directory, and systemd passes a service its credentials itself.
    private static let credentialsByHand =
        "run d365mm as root, or under systemd with the units d365mm systemd-units renders (they load the credentials with LoadCredential=)"

    /// The value of `variable`, or its default.
    public func value(of variable: ConfigurationVariable) -> (value: String, origin: Origin)? {
        values[variable.name] ?? variable.defaultValue.map { ($0, .defaultValue) }
    }

    /// The text of `setting`'s variable, or its default.
    public func value<Value>(of setting: Setting<Value>) -> (value: String, origin: Origin)? { value(of: setting.variable) }

    /// The secret in the file at `path` (opened with systemd-creds when `sealed`), without one line end after it;
    /// none, and a problem, when it cannot be read.
    private mutating func readSecret(
        at path: String, for variable: ConfigurationVariable, origin: Origin,
        sealed: Bool = false
    ) -> [(value: String, origin: Origin)] {
        let byHand = "; " + Self.credentialsByHand
        let contents: Data?
        if sealed {
            do {
                contents = try SystemdCredentials.decrypt(path, name: variable.name)
            } catch {
                problems.append(ConfigurationProblem(variable: variable, message: "comes from \(origin), which cannot be opened: \(error)\(byHand)"))
                return []
            }
        } else {
            contents = FileManager.default.contents(atPath: path)
        }
        guard let data = contents else {
            let readable =
                !FileManager.default.fileExists(atPath: path)
                ? "does not exist"
                : "cannot be read by this user (check its owner and mode)" + (origin == .credential(path) ? byHand : "")
            problems.append(ConfigurationProblem(variable: variable, message: "comes from \(origin), which \(readable)"))
            return []
        }
        guard var text = String(validating: data, as: UTF8.self) else {
            problems.append(ConfigurationProblem(variable: variable, message: "comes from \(origin), which is not UTF-8 text"))
            return []
        }
        if text.hasSuffix("\r\n") { text.removeLast() } else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else {
            problems.append(ConfigurationProblem(variable: variable, message: "comes from \(origin), which is empty"))
            return []
        }
        if case .secretFile = origin, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0
        {
            warnings.append(
                "\(path) holds \(variable.name) and can be read by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)")
        }
        return [(text, origin)]
    }

    /// The assignments of the configuration file at `path` for the variables d365mm knows, by name, the later of two
    /// winning; what is wrong with the file goes to ``problems`` and ``warnings``.
    private mutating func readFile(_ path: String) -> [String: (value: String, line: Int)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            problems.append(ConfigurationProblem(variable: nil, message: "the configuration file \(path) \(reason)"))
            return [:]
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            problems.append(ConfigurationProblem(variable: nil, message: "the configuration file \(path) is not UTF-8 text; save it as UTF-8"))
            return [:]
        }
        let file = EnvironmentFile(text)
        for problem in file.problems {
            problems.append(
                ConfigurationProblem(
                    variable: nil, message: "line \(problem.line) of \(path) \(problem.reason); its text is not shown, as it may hold a secret"))
        }
        for warning in file.systemdWarnings {
            warnings.append(
                "\(path):\(warning.line) \(warning.reason); d365mm reads the line, but the units read this file through systemd's EnvironmentFile=, which would lose its variable"
            )
        }
        let variables = ConfigurationVariable.all
        let known = Set(variables.flatMap { $0.spellings + ($0.fromFile ? [$0.fileVariable] : []) })
        var assignments: [String: (value: String, line: Int)] = [:]
        var firstLine: [String: Int] = [:]
        var definesSecret = false
        for assignment in file.assignments {
            guard known.contains(assignment.key) else {
                if assignment.key != "D365MM_CONFIG" {
                    warnings.append("\(path):\(assignment.line): unknown variable \(assignment.key) is ignored")
                }
                continue
            }
            if let first = firstLine[assignment.key] {
                warnings.append("\(path):\(assignment.line): \(assignment.key) is set again (first on line \(first)); line \(assignment.line) wins")
            } else {
                firstLine[assignment.key] = assignment.line
            }
            if variables.contains(where: { $0.isSecret && $0.spellings.contains(assignment.key) }) { definesSecret = true }
            assignments[assignment.key] = assignment.value.isEmpty ? nil : (assignment.value, assignment.line)
        }
        if definesSecret, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0
        {
            warnings.append("\(path) holds a secret and can be read by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)")
        }
        return assignments
    }
}
