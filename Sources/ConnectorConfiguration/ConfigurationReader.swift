import Foundation

/// Reads the variables of a ``ConfigurationSource`` one by one, gathering every problem instead of stopping at the
/// first, so that a configuration can be refused with all its problems at once.
struct ConfigurationReader {
    let source: ConfigurationSource
    private(set) var problems: [ConfigurationProblem]

    init(_ source: ConfigurationSource) {
        self.source = source
        problems = source.problems
    }

    /// The variable's value, of its setting's type, or its default's; `nil`, and noted, when it does not read or is
    /// required and unset; `nil` alone when it is optional and unset.
    mutating func value(of variable: ConfigurationVariable) -> (any Sendable)? {
        guard let text = source.value(of: variable)?.value.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            if variable.isRequired {
                if let alternative = variable.unlessSet {
                    if source.values[alternative] == nil { note(variable, "is required unless \(alternative) is set; expected \(variable.check)") }
                } else {
                    note(variable, "is required but not set; expected \(variable.check)")
                }
            }
            return nil
        }
        guard let value = variable.read(text) else {
            let shown = variable.isSecret ? "" : " (got \"\(ConfigurationLoader.shownValue(text))\")"
            note(variable, "must be \(variable.check)\(shown)")
            return nil
        }
        return value
    }

    mutating func note(_ variable: ConfigurationVariable?, _ message: String) {
        problems.append(ConfigurationProblem(variable: variable, message: message))
    }
}
