import ConnectorConfiguration
import Foundation
import Redaction
import Testing

/// The configuration file as plant IT writes it: on Windows, copied from a screen, exported from a shell.
struct ConfigurationFileFormatTests {
    private static let secret = "planted~Secret.Value_123"
    private static let token = "planted-mapping-token-456"

    /// The seed's required variables as file lines, the secrets among them.
    private static let lines = [
        "D365_ENVIRONMENT_HOST=contoso.operations.dynamics.com", "D365_TENANT_ID=6f1c2a9e-4b7d-4e0a-9c51-3d2f8b7a1e04",
        "D365_CLIENT_ID=0b5e7c1d-2a3f-4c8e-9d6b-7f1a2e3c4d5f", "D365_CLIENT_SECRET=\(secret)", "MAPPING_SERVICE_TOKEN=\(token)",
        "MAPPING_SERVICE_URL=https://erp.machinemetrics.com/api/", "MAPPING_AUTH_SERVICE_URL=https://auth.machinemetrics.com",
        "D365_DEFAULT_SITE_ID=110", "D365_DEFAULT_DATA_AREA_ID=usmf",
    ]

    private func source(_ text: String) throws -> ConfigurationSource {
        try source(Array(text.utf8))
    }

    private func source(_ bytes: [UInt8]) throws -> ConfigurationSource {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("d365mm-format-\(UUID().uuidString).conf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return ConfigurationSource(environment: [:], filePath: path)
    }

    @Test(arguments: ["\r\n", "\n", "\r"])
    func everyLineEndIsReadAsOneAndTheFileLoads(_ lineEnd: String) throws {
        let source = try source(Self.lines.joined(separator: lineEnd) + lineEnd)
        let configuration = try ConfigurationLoader.load(source)
        #expect(configuration[.clientSecret]?.revealed == Self.secret, "no carriage return is left on a value")
        #expect(configuration[.defaultSiteID] == "110")
        #expect(source.value(of: .defaultSiteID)?.origin.description.hasSuffix(":8") == true, "lines are counted as the editor shows them")
    }

    @Test func aByteOrderMarkExportQuotesAndBlanksAroundTheEqualsSignAreForgiven() throws {
        var lines = Self.lines
        lines[0] = "export D365_ENVIRONMENT_HOST = \"contoso.operations.dynamics.com\""
        lines[3] = "D365_CLIENT_SECRET='\(Self.secret)'"
        lines[7] = "\tD365_DEFAULT_SITE_ID\t=  110  "
        lines.append("D365_POSTING_ACTION=\"Post\\\"Journal\\\\\"")
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8)
        let source = try source(bytes)
        #expect(source.problems.isEmpty, "\(source.problems)")
        #expect(source.value(of: .environmentHost)?.value == "contoso.operations.dynamics.com")
        #expect(source.value(of: .clientSecret)?.value == Self.secret)
        #expect(source.value(of: .defaultSiteID)?.value == "110")
        #expect(source.value(of: .postingAction)?.value == "Post\"Journal\\", "double quotes take \\\" and \\\\")
    }

    /// The units read the file through systemd's `EnvironmentFile=`, which drops the assignment after a byte-order mark or
    /// `export`: d365mm reads such a line, and says that the service would not.
    @Test func whatOnlyD365mmForgivesIsAWarningThatSystemdWouldLoseTheVariable() throws {
        var lines = Self.lines
        lines[7] = "export D365_DEFAULT_SITE_ID=110"
        let source = try source([0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8))
        #expect(throws: Never.self) { try ConfigurationLoader.load(source) }
        #expect(source.warnings.contains { $0.contains(":1 starts with a byte-order mark, which systemd does not remove") }, "\(source.warnings)")
        #expect(source.warnings.contains { $0.contains(":8 starts with export, which systemd does not read") }, "\(source.warnings)")
        #expect(
            try !self.source(Self.lines.joined(separator: "\r\n")).warnings.contains { $0.contains("systemd") },
            "CR LF and quotes systemd reads itself")
    }

    @Test func backslashesAreReadAsSystemdReadsThem() throws {
        var lines = Self.lines
        lines[7] = #"D365_DEFAULT_SITE_ID=1\ 1\\0"#
        lines[8] = "D365_DEFAULT_DATA_AREA_ID=us\\"
        lines.insert("mf", at: 9)
        lines.insert("# a comment ending in a backslash does not swallow the next line \\", at: 10)
        lines.insert("D365_POSTING_ACTION=Post", at: 11)
        let source = try source(lines.joined(separator: "\n"))
        #expect(source.value(of: .defaultSiteID)?.value == #"1 1\0"#)
        #expect(source.value(of: .defaultDataAreaID)?.value == "usmf", "a backslash at the end joins the next line")
        #expect(source.value(of: .postingAction)?.value == "Post")
    }

    @Test func aDuplicateKeyIsAWarningNamingBothLinesAndTheLastWins() throws {
        let source = try source((Self.lines + ["D365_DEFAULT_SITE_ID=220"]).joined(separator: "\n"))
        #expect(source.value(of: .defaultSiteID)?.value == "220")
        #expect(
            source.warnings.contains { $0.hasSuffix(":10: D365_DEFAULT_SITE_ID is set again (first on line 8); line 10 wins") }, "\(source.warnings)")
        #expect(throws: Never.self) { try ConfigurationLoader.load(source) }
    }

    @Test(arguments: [
        "D365_CLIENT_SECRET \(secret)", "D365_CLIENT_SECRET=\"\(secret)", "D365_CLIENT_SECRET='\(secret)' trailing",
        "D365 CLIENT SECRET=\(secret)", "\(secret)",
    ])
    func aLineThatCannotBeReadIsNamedByItsNumberAndNeverShown(_ bad: String) throws {
        var lines = Self.lines
        lines[3] = bad
        let source = try source(lines.joined(separator: "\r\n"))
        let shown = source.everythingShown
        #expect(shown.contains("line 4 of "), "\(shown)")
        #expect(!shown.contains(Self.secret), "\(shown)")
    }

    @Test func aWindowsFileNeverPutsItsSecretsIntoAnError() throws {
        // A value that does not check out is shown, unless it is a secret; the secrets of the other lines stay out.
        var lines = Self.lines
        lines[0] = "D365_ENVIRONMENT_HOST=ftp://contoso"
        let shown = try source(lines.joined(separator: "\r\n")).everythingShown
        #expect(shown.contains("D365_ENVIRONMENT_HOST (D365 Environment Host): must be"), "\(shown)")
        #expect(!shown.contains(Self.secret) && !shown.contains(Self.token), "\(shown)")
        #expect(!shown.contains("\r"))
    }

    @Test func aURLsPasswordIsMaskedInTheErrorThatShowsTheURL() throws {
        var lines = Self.lines
        lines[5] = "MAPPING_SERVICE_URL=https://admin:hunter2-pass@erp.machinemetrics.com/api"
        let shown = try source(lines.joined(separator: "\n")).everythingShown
        #expect(shown.contains("https://admin:\(Redactor.mask)@erp.machinemetrics.com/api"), "\(shown)")
        #expect(!shown.contains("hunter2-pass"))
    }

    @Test func aFileInAnotherEncodingIsNamedAndNotRead() throws {
        let latin1: [UInt8] = Array("D365_DEFAULT_SITE_ID=".utf8) + [0xE9, 0x0A]
        let source = try source(latin1)
        #expect(source.problems.map(\.description).contains { $0.contains("is not UTF-8 text") })
    }

    @Test(arguments: [
        ("https://user:pw@host/path", "https://user:[REDACTED]@host/path"),
        ("proxy http://svc:p%40ss@proxy.plant:3128 refused", "proxy http://svc:[REDACTED]@proxy.plant:3128 refused"),
        ("http://user@host", "http://user@host"),
        ("no url here: a@b", "no url here: a@b"),
        ("two: https://a:1@x and https://b:2@y/", "two: https://a:[REDACTED]@x and https://b:[REDACTED]@y/"),
    ])
    func passwordsInURLsAreMasked(_ text: String, _ expected: String) {
        #expect(URLCredentials.masked(text) == expected)
        #expect(Redactor().redact(text) == expected)
    }

    /// `config move-secrets` edits the file: the lines it replaces go whole (a continued one too), the rest stays byte
    /// for byte, and what it writes reads back as written.
    @Test func anEditReplacesWholeAssignmentsKeepsEveryOtherByteAndWritesValuesThatReadBack() throws {
        let text = "\u{FEFF}# plant\r\nD365_CLIENT_SECRET=first\\\r\nhalf\r\nLOG_LEVEL=info\r\nD365_CLIENT_SECRET=again\r\n"
        var edit = ConfigurationFileEdit(text)
        edit.replaceAssignments(of: ["D365_CLIENT_SECRET"], with: "moved")
        let directory = "/etc/d365 mm/\"odd\" $HOME\\x"
        edit.set("D365MM_CREDENTIALS_DIR", to: directory)
        #expect(
            edit.text
                == "\u{FEFF}# plant\r\n# moved\r\nLOG_LEVEL=info\r\n# moved\r\nD365MM_CREDENTIALS_DIR=\"/etc/d365 mm/\\\"odd\\\" \\$HOME\\\\x\"\r\n")
        let read = try source(edit.text)
        #expect(read.values["D365MM_CREDENTIALS_DIR"]?.value == directory)
        #expect(read.values["D365_CLIENT_SECRET"] == nil && read.values["LOG_LEVEL"]?.value == "info")
        edit.set("D365MM_CREDENTIALS_DIR", to: "/etc/d365mm/credentials/plant2")
        #expect(
            edit.text.hasSuffix("LOG_LEVEL=info\r\n# moved\r\nD365MM_CREDENTIALS_DIR=/etc/d365mm/credentials/plant2\r\n"),
            "set again, changed in place")
    }

    @Test func controlCharactersAreEscapedSoThatTextStaysOnOneLine() {
        #expect(PrintableText.escaped("plain café name.json") == "plain café name.json")
        #expect(PrintableText.escaped("two\nlines\\") == "two\\nlines\\\\")
        #expect(PrintableText.escaped("bell\u{7}esc\u{1B}[2J") == "bell\\u{7}esc\\u{1b}[2J")
    }
}
