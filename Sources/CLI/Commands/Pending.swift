import ArgumentParser

extension D365MMCommand {
    struct Status: PendingCommand {
        static let configuration = CommandConfiguration(abstract: "Show the spool per direction and state, the last runs and known failures.")
        static let pendingName = "status"

        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Print one JSON object instead of text.")
        var json = false
    }

    struct Doctor: PendingCommand {
        static let configuration = CommandConfiguration(abstract: "Check live: token, each entity's privilege, write access, MachineMetrics.")
        static let pendingName = "doctor"

        @OptionGroup var options: ConfigurationOptions
    }

    struct Bundle: PendingCommand {
        static let configuration = CommandConfiguration(abstract: "Write a redacted support bundle (.tar.gz) and print its path.")
        static let pendingName = "bundle"

        @OptionGroup var options: ConfigurationOptions
    }
}
