import Foundation

/// Reads the variables of a ``ConfigurationSource`` one by one, gathering every problem instead of stopping at the
/// first: a value that is missing or wrong is noted and a ``Placeholder`` stands in, so that a whole configuration can
/// be built and then refused with all its problems at once.
struct ConfigurationReader {
    let source: ConfigurationSource
    private(set) var problems: [ConfigurationProblem]

    init(_ source: ConfigurationSource) {
        self.source = source
        problems = source.problems
    }

    /// The variable's text, trimmed; `nil`, noted when required (by default, as the variable says), when unset.
    mutating func text(_ variable: ConfigurationVariable, required: Bool? = nil) -> String? {
        guard let value = source.value(of: variable)?.value.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            if required ?? variable.isRequired {
                note(variable, "is required but not set; expected \(variable.check)")
            }
            return nil
        }
        return value
    }

    /// The variable's value as `parse` reads it; `nil`, noted when it does not read, or is required and unset.
    mutating func optional<T>(_ variable: ConfigurationVariable, _ parse: (String) -> T?) -> T? {
        guard let text = text(variable) else { return nil }
        guard let value = parse(text) else {
            let shown = variable.isSecret ? "" : " (got \"\(ConfigurationLoader.shownValue(text))\")"
            note(variable, "must be \(variable.check)\(shown)")
            return nil
        }
        return value
    }

    /// The value of a variable that is required or has a default.
    mutating func value<T: Placeholder>(_ variable: ConfigurationVariable, _ parse: (String) -> T?) -> T {
        optional(variable, parse) ?? .placeholder
    }

    mutating func note(_ variable: ConfigurationVariable?, _ message: String) {
        problems.append(ConfigurationProblem(variable: variable, message: message))
    }
}

/// A value that stands in for one that could not be read; a configuration holding one is never loaded.
protocol Placeholder {
    static var placeholder: Self { get }
}

extension String: Placeholder { static var placeholder: String { "" } }
extension Bool: Placeholder { static var placeholder: Bool { false } }
extension Int: Placeholder { static var placeholder: Int { 0 } }
extension Int64: Placeholder { static var placeholder: Int64 { 0 } }
extension Double: Placeholder { static var placeholder: Double { 0 } }
extension Configuration.JournalKind: Placeholder { static var placeholder: Self { .operation } }
extension Configuration.PostingMode: Placeholder { static var placeholder: Self { .manual } }
extension Configuration.LogLevel: Placeholder { static var placeholder: Self { .info } }
extension Secret: Placeholder { static var placeholder: Secret { Secret("") } }
