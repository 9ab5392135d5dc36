/// A configuration variable and the type its value reads as: `configuration[.retryAttempts]` is an `Int`.
///
/// A variable is defined once, here: adding one is one definition in `Setting+Catalogue.swift` (and its place in
/// ``ConfigurationVariable/all``); the loader, `config check`, `config template`, the units and the test that holds
/// `d365mm.conf(5)` to it all follow from that.
public struct Setting<Value: Sendable>: Sendable {
    public let variable: ConfigurationVariable
    /// The value `text` stands for; `nil` when it does not read.
    public let parse: @Sendable (String) -> Value?

    public var name: String { variable.name }

    /// A variable that is required, or has a default, and so always has a value.
    init(
        _ name: String, label: String? = nil, required: Bool = false, unlessSet: String? = nil, secret: Bool = false,
        default defaultValue: String? = nil, check: String, spellings: [String]? = nil, fromFile: Bool = false,
        parse: @escaping @Sendable (String) -> Value?
    ) {
        variable = ConfigurationVariable(
            name: name, label: label, isRequired: required, unlessSet: unlessSet, isSecret: secret, defaultValue: defaultValue,
            check: check, spellings: spellings ?? [name], fromFile: fromFile, read: { parse($0) })
        self.parse = parse
    }

    /// A variable that may stay unset, without a default: its value is `nil` then.
    static func optional<Wrapped>(
        _ name: String, check: String, spellings: [String]? = nil, fromFile: Bool = false,
        parse: @escaping @Sendable (String) -> Wrapped?
    ) -> Self where Value == Wrapped? {
        Self(name, check: check, spellings: spellings, fromFile: fromFile) { text in parse(text).map { .some($0) } }
    }
}
