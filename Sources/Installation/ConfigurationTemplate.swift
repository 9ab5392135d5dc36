import ConnectorConfiguration

/// The commented configuration file `scripts/install` lays down: every variable, with its label on the Edge Services
/// screen, whether it is required, its default and what a valid value looks like. Required ones are left empty to fill.
public enum ConfigurationTemplate {
    public static func text(spoolNote: String = "under systemd the units set it; leave it unset here") -> String {
        var lines = [
            "# d365mm configuration: KEY=value lines, read by systemd (EnvironmentFile=) and by `d365mm --config FILE`.",
            "# It holds the client secret and the mapping service token: keep it mode 0600, owned by root, or move them into",
            "# systemd credentials once it is filled in: d365mm config move-secrets (scripts/install --credentials does it).",
            "# Check it with: d365mm config check --config /etc/d365mm/d365mm.conf   (see d365mm.conf(5))",
            "",
        ]
        for variable in ConfigurationVariable.all {
            let label = variable.label.map { "\($0) — " } ?? ""
            lines.append("# \(label)\(variable.isRequired ? "required" : "optional")\(variable.isSecret ? ", secret" : ""): \(variable.check)")
            if variable == Setting.spoolDirectory.variable {
                lines.append("# (\(spoolNote))")
                lines.append("#\(variable.name)=\(variable.defaultValue ?? "")")
            } else if variable.isRequired {
                lines.append("\(variable.name)=")
            } else {
                lines.append("#\(variable.name)=\(variable.defaultValue ?? "")")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
