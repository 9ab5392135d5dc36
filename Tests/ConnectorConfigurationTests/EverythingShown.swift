import ConnectorConfiguration

extension ConfigurationSource {
    /// Every text the source and the loader would show an operator: warnings, problems and the loader's error.
    var everythingShown: String {
        let loaded: String
        do {
            _ = try ConfigurationLoader.load(self)
            loaded = ""
        } catch {
            loaded = error.description
        }
        return (warnings + problems.map(\.description) + [loaded]).joined(separator: "\n")
    }
}
