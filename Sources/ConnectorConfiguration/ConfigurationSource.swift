import Foundation

/// The raw configuration values and where each came from: the environment wins over the file.
public struct ConfigurationSource: Sendable {
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case environment
        case file(String, line: Int)
        case defaultValue

        public var description: String {
            switch self {
            case .environment: return "environment"
            case .file(let path, let line): return "\(path):\(line)"
            case .defaultValue: return "default"
            }
        }
    }

    public private(set) var values: [String: (value: String, origin: Origin)] = [:]
    /// Things worth telling the operator that are not errors (unknown keys in the file, a readable secret).
    public private(set) var warnings: [String] = []
    /// Problems with the file itself (unreadable, malformed lines).
    public private(set) var problems: [ConfigurationProblem] = []
    /// The configuration file, when one was named.
    public let filePath: String?

    /// Reads the file named by `filePath` (or by `D365MM_CONFIG` in `environment`), then the environment over it.
    public init(environment: [String: String], filePath explicitPath: String?) {
        let known = Set(ConfigurationVariable.all.map(\.name))
        let path = explicitPath ?? environment["D365MM_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        filePath = path
        if let path { readFile(path, known: known) }
        for name in known {
            if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                values[name] = (value, .environment)
            }
        }
    }

    /// The value of `variable`, or its default.
    public func value(of variable: ConfigurationVariable) -> (value: String, origin: Origin)? {
        values[variable.name] ?? variable.defaultValue.map { ($0, .defaultValue) }
    }

    private mutating func readFile(_ path: String, known: Set<String>) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            problems.append(ConfigurationProblem(variable: nil, message: "the configuration file \(path) \(reason)"))
            return
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            problems.append(ConfigurationProblem(variable: nil, message: "the configuration file \(path) is not UTF-8 text; save it as UTF-8"))
            return
        }
        let file = EnvironmentFile(text)
        for problem in file.problems {
            problems.append(ConfigurationProblem(variable: nil, message: "line \(problem.line) of \(path) \(problem.reason); its text is not shown, as it may hold a secret"))
        }
        for warning in file.systemdWarnings {
            warnings.append("\(path):\(warning.line) \(warning.reason); d365mm reads the line, but the units read this file through systemd's EnvironmentFile=, which would lose its variable")
        }
        var definesSecret = false
        var firstLine: [String: Int] = [:]
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
            if ConfigurationVariable.all.first(where: { $0.name == assignment.key })?.isSecret == true { definesSecret = true }
            if assignment.value.isEmpty {
                values[assignment.key] = nil
            } else {
                values[assignment.key] = (assignment.value, .file(path, line: assignment.line))
            }
        }
        if definesSecret, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
            warnings.append("\(path) holds a secret and can be read by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)")
        }
    }
}
