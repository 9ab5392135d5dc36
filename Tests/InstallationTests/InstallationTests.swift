import Foundation
import JSON
import TestSupport
import Testing

/// The systemd units, `scripts/install` and `scripts/uninstall`, and the man pages, checked against the code.
struct InstallationTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    private func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    private func mode(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1 }

    private func shell(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try OtherProgram.run(arguments, environment: environment)
    }

    @Test func theTimersFireAtTheConfiguredIntervals() async throws {
        try await withTemporaryDirectory { directory in
            let result = try await D365MMBinary.run(
                ["systemd-units", "--output", directory], environment: ["FROM_ERP_INTERVAL": "15min", "TO_ERP_INTERVAL": "90s"])
            #expect(result.status == 0, "\(result.standardError)")
            let from = try text("\(directory)/d365mm-from-erp.timer")
            let to = try text("\(directory)/d365mm-to-erp.timer")
            #expect(from.contains("OnCalendar=*-*-* *:00/15:00") && from.contains("Persistent=true") && from.contains("RandomizedDelaySec="))
            #expect(to.contains("OnUnitActiveSec=90s") && to.contains("OnBootSec=90s"), "90 s does not divide an hour evenly: a monotonic timer")
            let service = try text("\(directory)/d365mm-from-erp.service")
            for directive in [
                "Type=oneshot", "EnvironmentFile=/etc/d365mm/d365mm.conf", "User=d365mm", "ProtectSystem=strict", "PrivateTmp=yes",
                "NoNewPrivileges=yes", "ReadWritePaths=/var/spool/d365mm", "SuccessExitStatus=73 75 143", "After=network-online.target",
                "ExecStart=/usr/local/bin/d365mm run from-erp",
            ] {
                #expect(service.contains(directive), "\(directive)")
            }
            let hourly = try await D365MMBinary.run(["systemd-units"], environment: ["FROM_ERP_INTERVAL": "2h"])
            #expect(
                hourly.standardOutput.contains("OnCalendar=*-*-* 00/2:00:00") && hourly.standardOutput.contains("OnCalendar=*-*-* *:00/5:00"),
                "and the 5min default")
            let wrong = try await D365MMBinary.run(["systemd-units"], environment: ["TO_ERP_INTERVAL": "often"])
            #expect(wrong.status == 78 && wrong.standardError.contains("TO_ERP_INTERVAL (To ERP Interval)"))
        }
    }

    @Test func systemdAnalyzeVerifyAcceptsTheRenderedUnits() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            print("skipped: systemd-analyze is not installed here, so the units cannot be verified (apt-get install systemd)")
            return
        }
        try await withTemporaryDirectory { directory in
            let binary = D365MMBinary.path
            #expect(try await D365MMBinary.run(["systemd-units", "--output", directory, "--binary", binary]).status == 0)
            #expect(
                try await D365MMBinary.run(
                    ["systemd-units", "--output", directory, "--binary", binary, "--instance", "plant2"],
                    environment: ["FROM_ERP_INTERVAL": "30min"]
                ).status == 0)
            let dropIn = try text("\(directory)/d365mm-from-erp@plant2.timer.d/interval.conf")
            #expect(dropIn.contains("OnCalendar=\n") && dropIn.contains("OnCalendar=*-*-* *:00/30:00"), "the instance's own interval")
            // An instance is verified as the files systemd would load for it.
            for unit in ["d365mm-from-erp", "d365mm-to-erp"] {
                for kind in ["service", "timer"] {
                    try FileManager.default.copyItem(atPath: "\(directory)/\(unit)@.\(kind)", toPath: "\(directory)/\(unit)@plant2.\(kind)")
                }
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
                ($0.hasSuffix(".service") || $0.hasSuffix(".timer")) && !$0.contains("@.")
            }
            #expect(files.count == 8)
            let verify = try shell(
                ["systemd-analyze", "verify", "--man=no"] + files.map { "\(directory)/\($0)" }, environment: ["SYSTEMD_UNIT_PATH": "\(directory):"])
            #expect(verify.status == 0 && verify.standardError.isEmpty, "\(verify.standardError)")
            // The check can fail: a unit whose binary is missing is refused.
            let broken = try text("\(directory)/d365mm-to-erp.service").replacingOccurrences(of: binary, with: "/nonexistent/d365mm")
            try broken.write(toFile: "\(directory)/broken.service", atomically: true, encoding: .utf8)
            #expect(try shell(["systemd-analyze", "verify", "--man=no", "\(directory)/broken.service"]).status != 0)
        }
    }

    @Test func installLaysOutEveryFileWithItsModeKeepsTheConfigurationAndUninstallRemovesIt() async throws {
        try await withTemporaryDirectory { stage in
            let install = ["\(Self.packageRoot)/scripts/install", "--binary", D365MMBinary.path]
            let first = try shell(install, environment: ["DESTDIR": stage])
            #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
            let expected: [(String, Int)] = [
                ("/usr/local/bin/d365mm", 0o755), ("/etc/d365mm/d365mm.conf", 0o600), ("/var/spool/d365mm", 0o700),
                ("/etc/systemd/system/d365mm-from-erp.service", 0o644), ("/etc/systemd/system/d365mm-from-erp.timer", 0o644),
                ("/etc/systemd/system/d365mm-to-erp.service", 0o644), ("/etc/systemd/system/d365mm-to-erp.timer", 0o644),
                ("/usr/local/share/man/man1/d365mm.1", 0o644), ("/usr/local/share/man/man5/d365mm.conf.5", 0o644),
                ("/usr/local/share/man/man7/d365mm-spool.7", 0o644), ("/usr/local/share/bash-completion/completions/d365mm", 0o644),
                ("/usr/local/share/zsh/site-functions/_d365mm", 0o644),
            ]
            for (path, wanted) in expected {
                let actual = try mode(stage + path)
                #expect(actual == wanted, "\(path) has mode \(String(actual, radix: 8))")
            }
            #expect(try text(stage + "/usr/local/share/bash-completion/completions/d365mm").contains("spool"), "the completions know the commands")
            #expect(try text(stage + "/usr/local/share/zsh/site-functions/_d365mm").hasPrefix("#compdef d365mm"))
            let configuration = try text(stage + "/etc/d365mm/d365mm.conf")
            #expect(configuration == (try await D365MMBinary.run(["config", "template"])).standardOutput, "the template with every variable")
            for name in [
                "D365_ENVIRONMENT_HOST", "D365_CLIENT_SECRET", "MAPPING_SERVICE_TOKEN", "D365_DEFAULT_SITE_ID", "IMPORT_LTS_TO_MM",
                "D365_JOURNAL_POSTING_MODE", "FROM_ERP_INTERVAL", "MM_API_TIMEOUT_SECONDS", "D365MM_ARCHIVE_KEEP",
            ] {
                #expect(configuration.contains("\(name)="), "\(name) is in the template")
            }

            // Again, over an edited configuration: updated, not overwritten.
            try (configuration + "D365_DEFAULT_SITE_ID=110\n").write(toFile: stage + "/etc/d365mm/d365mm.conf", atomically: true, encoding: .utf8)
            let second = try shell(install, environment: ["DESTDIR": stage])
            #expect(second.status == 0 && second.standardOutput.contains("kept the existing /etc/d365mm/d365mm.conf"))
            #expect(try text(stage + "/etc/d365mm/d365mm.conf").hasSuffix("D365_DEFAULT_SITE_ID=110\n"))

            let plant = try shell(install + ["--instance", "plant2"], environment: ["DESTDIR": stage])
            #expect(plant.status == 0, "\(plant.standardError)")
            #expect(try mode(stage + "/etc/d365mm/plant2.conf") == 0o600 && (try mode(stage + "/var/spool/d365mm/plant2")) == 0o700)
            #expect(FileManager.default.fileExists(atPath: stage + "/etc/systemd/system/d365mm-to-erp@.timer"))
            #expect(FileManager.default.fileExists(atPath: stage + "/etc/systemd/system/d365mm-to-erp@plant2.timer.d/interval.conf"))
            #expect(try text(stage + "/etc/systemd/system/d365mm-from-erp@.service").contains("EnvironmentFile=/etc/d365mm/%i.conf"))
            #expect(try text(stage + "/etc/systemd/system/d365mm-from-erp@.service").contains("Environment=D365MM_SPOOL_DIR=/var/spool/d365mm/%i"))

            let uninstall = try shell(["\(Self.packageRoot)/scripts/uninstall"], environment: ["DESTDIR": stage])
            #expect(uninstall.status == 0, "\(uninstall.standardError)")
            #expect(!FileManager.default.fileExists(atPath: stage + "/usr/local/bin/d365mm"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: stage + "/etc/systemd/system").isEmpty)
            #expect(
                FileManager.default.fileExists(atPath: stage + "/etc/d365mm/d365mm.conf")
                    && FileManager.default.fileExists(atPath: stage + "/var/spool/d365mm/plant2"),
                "the configuration and the spool stay")
        }
    }

    @Test func theManPagesLintCleanAndNameEveryCommandOptionAndVariable() async throws {
        let pages = ["d365mm.1", "d365mm.conf.5", "d365mm-spool.7"].map { "\(Self.packageRoot)/man/\($0)" }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") {
            for page in pages {
                let lint = try shell(["groff", "-ww", "-z", "-man", page])
                #expect(lint.status == 0 && lint.standardError.isEmpty, "\(page): \(lint.standardError)")
            }
        } else {
            print("skipped: groff is not installed here, so the man pages are not linted (apt-get install groff-base)")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/mandoc") {
            for page in pages {
                let lint = try shell(["mandoc", "-T", "lint", "-W", "warning", page])
                #expect(lint.status == 0, "\(page): \(lint.standardOutput)\(lint.standardError)")
            }
        }
        // Roff source as a reader sees it: escapes undone, font changes dropped.
        func plain(_ path: String) throws -> String {
            try text(path).replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: #"\\f[BIRP]"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: "\\(aq", with: "'")
        }
        let manualText = try plain(pages[0])
        // A plain function, so that a failure names what is missing instead of printing the whole page.
        func manual(_ needle: String) -> Bool { manualText.contains(needle) }
        let help = try JSONParser.parse(Array(try await D365MMBinary.run(["--experimental-dump-help"]).standardOutput.utf8))
        func walk(_ command: JSONValue, _ path: [String]) {
            guard let name = command["commandName"]?.stringValue, name != "help" else { return }
            let full = path + [name]
            if full.count > 1, command["subcommands"] == nil || command["subcommands"]?.arrayValue?.isEmpty == true {
                #expect(manual(full.joined(separator: " ")), "d365mm(1) lacks the command \(full.joined(separator: " "))")
            }
            for argument in command["arguments"]?.arrayValue ?? [] where argument["shouldDisplay"]?.boolValue != false {
                for spelling in argument["names"]?.arrayValue ?? [] where spelling["kind"]?.stringValue == "long" {
                    let option = "--" + (spelling["name"]?.stringValue ?? "")
                    #expect(manual(option), "d365mm(1) lacks \(option) of \(full.joined(separator: " "))")
                }
            }
            for sub in command["subcommands"]?.arrayValue ?? [] { walk(sub, full) }
        }
        walk(try #require(help["command"]), [])
        for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] { #expect(manual(".SH \(section)"), "\(section)") }
        for code in ["0", "1", "2", "64", "73", "75", "77", "78"] { #expect(manual(".B \(code)\n"), "exit status \(code)") }

        let confText = try plain(pages[1])
        func conf(_ needle: String) -> Bool { confText.contains(needle) }
        let template = try await D365MMBinary.run(["config", "template"])
        var variables = 0
        for line in template.standardOutput.split(separator: "\n") {
            guard let match = line.firstMatch(of: /^#?([A-Z0-9_]+)=(.*)$/) else { continue }
            let (name, value) = (String(match.1), String(match.2))
            #expect(conf(".B \(name)\n"), "d365mm.conf(5) lacks \(name)")
            if !value.isEmpty { #expect(conf("Default: \(value)."), "d365mm.conf(5) lacks the default of \(name)") }
            variables += 1
        }
        #expect(variables == 36)
        for label in ["D365 Environment Host", "Mapping Service Token", "D365 Default Data Area Id", "Write LTs to D365", "MM API Timeout Seconds"] {
            #expect(conf("\\(lq\(label)\\(rq"), "the seed's label \(label)")
        }
    }
}
