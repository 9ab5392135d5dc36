import ArgumentParser

/// `d365mm`: the connector between Dynamics 365 Finance & Operations and MachineMetrics.
public struct D365MMCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "d365mm",
        abstract: "Sync production orders from Dynamics 365 F&O to MachineMetrics, and labor back.",
        discussion: """
            Each run moves work through a spool of folders (tmp, inbox, outbound, posted, failed, hold, archive) \
            under D365MM_SPOOL_DIR. Configuration comes from the environment and, optionally, an env-style file \
            (--config FILE or D365MM_CONFIG); see d365mm.conf(5).

            EXIT STATUS
              0   success, or nothing to do
              1   unexpected internal error
              2   partial: the run finished, but something needs an operator
              64  usage error
              73  another run holds the spool lock; nothing was done
              75  temporary failure (network, throttling, 5xx); retry next tick
              77  authentication or permission refused (a spool it may not write too)
              78  configuration error
              130 stopped by SIGINT (Ctrl-C); its work stays queued
              143 stopped by SIGTERM (systemctl stop); its work stays queued
            Any other code is a failure.
            """,
        version: D365MMVersion.current,
        subcommands: [Run.self, Status.self, SpoolCommand.self, Config.self, Doctor.self, Bundle.self, SystemdUnitsCommand.self, Simulate.self]
    )

    public init() {}
}

/// Options every command that reads the configuration accepts.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("An env-style configuration file (KEY=value lines); the environment wins over it.", valueName: "file"))
    var config: String?
}
