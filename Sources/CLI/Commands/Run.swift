import ArgumentParser

extension D365MMCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one pass of a direction.",
            subcommands: [FromERP.self, ToERP.self]
        )
    }
}

extension D365MMCommand.Run {
    struct FromERP: PendingCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-erp",
            abstract: "Pull production orders and operations from D365 and post them to MachineMetrics."
        )
        static let pendingName = "run from-erp"

        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Send every record, not only those that changed since MachineMetrics last accepted them.")
        var full = false
    }

    struct ToERP: PendingCommand {
        static let configuration = CommandConfiguration(
            commandName: "to-erp",
            abstract: "Write labor tickets from MachineMetrics to D365 as route or job card journals."
        )
        static let pendingName = "run to-erp"

        @OptionGroup var options: ConfigurationOptions
    }
}
