import ConnectorConfiguration
import Foundation

/// The systemd units that run d365mm on an edge device, rendered from the configuration's intervals.
///
/// One installation runs `d365mm-from-erp.timer` and `d365mm-to-erp.timer` with `/etc/d365mm/d365mm.conf` and
/// `/var/spool/d365mm`. A company with several plants runs one instance per (legal entity, site) with the template
/// units: `d365mm-from-erp@NAME.timer` reads `/etc/d365mm/NAME.conf` and keeps `/var/spool/d365mm/NAME`; an
/// instance's intervals are a drop-in beside its timer.
public struct SystemdUnits: Sendable {
    public struct Unit: Sendable, Equatable {
        /// The path under the unit directory, e.g. `d365mm-from-erp.timer` or `d365mm-from-erp@plant1.timer.d/interval.conf`.
        public let path: String
        public let text: String
    }

    public var binary: String
    public var user: String
    public var configurationDirectory: String
    public var spoolDirectory: String

    public init(
        binary: String = "/usr/local/bin/d365mm", user: String = "d365mm", configurationDirectory: String = "/etc/d365mm",
        spoolDirectory: String = "/var/spool/d365mm"
    ) {
        self.binary = binary
        self.user = user
        self.configurationDirectory = configurationDirectory
        self.spoolDirectory = spoolDirectory
    }

    static let directions: [(name: String, what: String)] = [
        ("from-erp", "production orders from D365 to MachineMetrics"),
        ("to-erp", "labor from MachineMetrics to D365"),
    ]

    /// The single-installation units, each timer firing at its interval (seconds).
    public func single(fromERPInterval: TimeInterval, toERPInterval: TimeInterval) -> [Unit] {
        Self.directions.flatMap { direction -> [Unit] in
            let interval = direction.name == "from-erp" ? fromERPInterval : toERPInterval
            return [
                Unit(
                    path: "d365mm-\(direction.name).service",
                    text: service(direction, configuration: "\(configurationDirectory)/d365mm.conf", spool: spoolDirectory, instance: false)),
                Unit(path: "d365mm-\(direction.name).timer", text: timer(direction, unit: "d365mm-\(direction.name).service", interval: interval)),
            ]
        }
    }

    /// The template units (`@`), and for `instance` the drop-ins that set its intervals.
    public func templates(instance: String?, fromERPInterval: TimeInterval, toERPInterval: TimeInterval) -> [Unit] {
        Self.directions.flatMap { direction -> [Unit] in
            let interval = direction.name == "from-erp" ? fromERPInterval : toERPInterval
            var units = [
                Unit(
                    path: "d365mm-\(direction.name)@.service",
                    text: service(direction, configuration: "\(configurationDirectory)/%i.conf", spool: "\(spoolDirectory)/%i", instance: true)),
                Unit(
                    path: "d365mm-\(direction.name)@.timer", text: timer(direction, unit: "d365mm-\(direction.name)@%i.service", interval: interval)),
            ]
            if let instance {
                units.append(
                    Unit(
                        path: "d365mm-\(direction.name)@\(instance).timer.d/interval.conf",
                        text: """
                            # The interval of instance \(instance), from \(direction.name == "from-erp" ? "FROM_ERP_INTERVAL" : "TO_ERP_INTERVAL") in \(configurationDirectory)/\(instance).conf.
                            [Timer]
                            OnCalendar=
                            OnBootSec=
                            OnUnitActiveSec=
                            \(Self.schedule(interval).joined(separator: "\n"))

                            """))
            }
            return units
        }
    }

    /// The drop-ins that have systemd load `credentials` (from `directory`) for each direction's service, or for
    /// `instance`'s.
    public func credentialDropIns(_ credentials: [SystemdCredentials.Stored], directory: String, instance: String?) -> [Unit] {
        guard !credentials.isEmpty else { return [] }
        return Self.directions.map { direction in
            Unit(
                path: Self.credentialDropIn(direction: direction.name, instance: instance),
                text: """
                    # Rendered by `d365mm systemd-units` from D365MM_CREDENTIALS_DIR (\(directory)); see d365mm.conf(5).
                    # systemd reads these as root and gives the service its own copy in $CREDENTIALS_DIRECTORY.
                    [Service]
                    \(credentials.map(\.unitDirective).joined(separator: "\n"))

                    """)
        }
    }

    /// Where the credentials drop-in of a direction's service goes, under the unit directory.
    public static func credentialDropIn(direction: String, instance: String?) -> String {
        dropIn("credentials.conf", direction: direction, instance: instance)
    }

    /// The drop-ins that let each direction's service (or `instance`'s) rewrite `metricsFile`, whose folder the units'
    /// `ProtectSystem=strict` would otherwise keep read-only.
    public func metricsDropIns(metricsFile: String?, instance: String?) -> [Unit] {
        guard let metricsFile else { return [] }
        let folder = (metricsFile as NSString).deletingLastPathComponent
        return Self.directions.map { direction in
            Unit(
                path: Self.metricsDropIn(direction: direction.name, instance: instance),
                text: """
                    # Rendered by `d365mm systemd-units` from D365MM_METRICS_FILE (\(metricsFile)); see d365mm.conf(5).
                    # The folder must exist and be writable by \(user); "-" lets the run go on without it.
                    [Service]
                    ReadWritePaths=-\(folder)

                    """)
        }
    }

    /// Where the metrics drop-in of a direction's service goes, under the unit directory.
    public static func metricsDropIn(direction: String, instance: String?) -> String {
        dropIn("metrics.conf", direction: direction, instance: instance)
    }

    private static func dropIn(_ name: String, direction: String, instance: String?) -> String {
        "d365mm-\(direction)\(instance.map { "@\($0)" } ?? "").service.d/\(name)"
    }

    /// The directions' names, `from-erp` and `to-erp`.
    public static var directionNames: [String] { directions.map(\.name) }

    private func service(_ direction: (name: String, what: String), configuration: String, spool: String, instance: Bool) -> String {
        """
        # Rendered by `d365mm systemd-units`; see d365mm(1).
        [Unit]
        Description=d365mm run \(direction.name): \(direction.what)\(instance ? " (instance %i)" : "")
        Documentation=man:d365mm(1) man:d365mm.conf(5) man:d365mm-spool(7)
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=oneshot
        User=\(user)
        Group=\(user)
        EnvironmentFile=\(configuration)
        Environment=D365MM_SPOOL_DIR=\(spool)\(instance ? "\nEnvironment=D365MM_INSTANCE=%i" : "")
        ExecStart=\(binary) run \(direction.name)
        # 75: a temporary failure (network, throttling, 5xx): nothing was lost and the next tick tries again.
        # 73: another run still held the spool. 143: stopped by `systemctl stop` or a shutdown, within 10 s, its work
        # left queued. None marks the unit failed.
        # 78 (configuration), 77 (credentials or privileges) and 2 (something in failed/) do: see `d365mm status`.
        SuccessExitStatus=73 75 143
        TimeoutStartSec=2h
        TimeoutStopSec=20s
        UMask=0077
        ReadWritePaths=\(spool)
        ProtectSystem=strict
        ProtectHome=yes
        PrivateTmp=yes
        PrivateDevices=yes
        NoNewPrivileges=yes
        ProtectKernelTunables=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
        RestrictNamespaces=yes
        RestrictRealtime=yes
        RestrictSUIDSGID=yes
        LockPersonality=yes
        SystemCallArchitectures=native
        CapabilityBoundingSet=

        """
    }

    private func timer(_ direction: (name: String, what: String), unit: String, interval: TimeInterval) -> String {
        let jitter = max(1, min(30, Int(interval / 10)))
        return """
            # Rendered by `d365mm systemd-units`; see d365mm(1).
            [Unit]
            Description=d365mm run \(direction.name) every \(Self.spanText(interval))

            [Timer]
            \(Self.schedule(interval).joined(separator: "\n"))
            Persistent=true
            RandomizedDelaySec=\(jitter)s
            AccuracySec=1s
            Unit=\(unit)

            [Install]
            WantedBy=timers.target

            """
    }

    /// A calendar schedule when the interval divides an hour or a day evenly (so `Persistent=` catches up missed
    /// runs after downtime), else a monotonic one.
    static func schedule(_ interval: TimeInterval) -> [String] {
        let seconds = Int(interval.rounded())
        if seconds % 60 == 0, seconds < 3600, 3600 % seconds == 0 {
            return ["OnCalendar=*-*-* *:00/\(seconds / 60):00"]
        }
        if seconds % 3600 == 0, seconds <= 86_400, 86_400 % seconds == 0 {
            return [seconds == 86_400 ? "OnCalendar=*-*-* 00:00:00" : "OnCalendar=*-*-* 00/\(seconds / 3600):00:00"]
        }
        return ["OnBootSec=\(seconds)s", "OnUnitActiveSec=\(seconds)s"]
    }

    static func spanText(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded())
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)min" }
        return "\(seconds)s"
    }
}
