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
        guard let text = String(data: data, encoding: .utf8) else {
            problems.append(ConfigurationProblem(variable: nil, message: "the configuration file \(path) is not UTF-8 text"))
            return
        }
        var definesSecret = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append(ConfigurationProblem(variable: nil, message: "line \(offset + 1) of \(path) is not KEY=value"))
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard known.contains(key) else {
                if key != "D365MM_CONFIG" {
                    warnings.append("\(path):\(offset + 1): unknown variable \(key) is ignored")
                }
                continue
            }
            if ConfigurationVariable.all.first(where: { $0.name == key })?.isSecret == true { definesSecret = true }
            if !value.isEmpty { values[key] = (value, .file(path, line: offset + 1)) }
        }
        if definesSecret, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
            warnings.append("\(path) holds a secret and can be read by other users (mode \(String(permissions, radix: 8))); run: chmod 600 \(path)")
        }
    }
}
