/// What the operator and the documentation know of a configuration variable of `contracts/cli-and-config.md`: its
/// name, the seed's label, default and check. Each is defined once, as a ``Setting`` in `Setting+Catalogue.swift`.
public struct ConfigurationVariable: Sendable, Hashable {
    public let name: String
    /// The label on the Edge Services screen (the seed), or `nil` for variables only this tool has.
    public let label: String?
    public let isRequired: Bool
    /// The variable that, when set, makes this required one unnecessary (a certificate instead of the client secret).
    public let unlessSet: String?
    public let isSecret: Bool
    /// The default, as text, for optional variables.
    public let defaultValue: String?
    /// What a valid value looks like, in the operator's words.
    public let check: String
    /// The names the variable is read under, the first found winning: its name, or for the proxies the lower-case
    /// spelling before the upper-case one, as curl reads them.
    public let spellings: [String]
    /// Whether the value may come from the file `<NAME>_FILE` names, or from the systemd credential `<NAME>`, instead
    /// (one place only).
    public let fromFile: Bool
    /// The value the text stands for, of the setting's type; `nil` when the text does not read.
    let read: @Sendable (String) -> (any Sendable)?

    /// `NAME (Label)`, as errors name a variable.
    public var displayName: String { label.map { "\(name) (\($0))" } ?? name }

    /// The variable naming the file that holds this one's value.
    public var fileVariable: String { name + "_FILE" }

    public static func == (left: Self, right: Self) -> Bool { left.name == right.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
