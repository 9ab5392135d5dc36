/// One thing wrong with the configuration, naming the variable by its name and the seed's label.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public let variable: ConfigurationVariable?
    public let message: String

    public var description: String {
        variable.map { "\($0.displayName): \(message)" } ?? message
    }
}

/// Everything wrong with the configuration, reported at once (exit 78).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "configuration error (\(count)):\n" + problems.map { "  - \($0.description)" }.joined(separator: "\n")
            + "\nSee d365mm.conf(5) or `d365mm config check` for every variable."
    }
}
