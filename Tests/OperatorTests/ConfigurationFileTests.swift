import Foundation
import Simulator
import TestSupport
import Testing

/// A configuration file as Windows editors and copied screens leave it, used by the built binary for real runs.
struct ConfigurationFileTests {
    /// The harness's settings as a file in `style`, and an environment that holds none of them.
    private func writeFile(_ harness: ConnectorHarness, windows: Bool) throws -> (path: String, environment: [String: String?]) {
        var lines = ["# written by an editor on Windows"]
        var environment: [String: String?] = [:]
        for (index, (key, value)) in harness.environment.sorted(by: { $0.key < $1.key }).enumerated() {
            environment.updateValue(nil, forKey: key)
            switch (windows, index % 3) {
            case (true, 0): lines.append("export \(key) = \"\(value)\"")
            case (true, 1): lines.append("\(key)='\(value)'")
            default: lines.append("\(key)=\(value)")
            }
        }
        let text = lines.joined(separator: windows ? "\r\n" : "\n") + (windows ? "\r\n" : "\n")
        let path = harness.spoolDirectory + ".conf"
        try Data((windows ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        return (path, environment)
    }

    @Test func aFileSavedOnWindowsRunsBothDirectionsAndNoSecretReachesAnyOutput() async throws {
        try await withConnector(orders: 40, laborTickets: 12, extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
            let (path, unset) = try writeFile(harness, windows: true)
            var outputs: [String] = []
            func run(_ arguments: [String]) async throws -> CommandResult {
                let result = try await harness.run(arguments + ["--config", path], changing: unset)
                outputs += [result.standardOutput, result.standardError]
                return result
            }
            let check = try await run(["config", "check"])
            #expect(check.status == 0, "\(check.standardError)")
            #expect(check.standardOutput.contains("D365_DEFAULT_SITE_ID") && check.standardOutput.contains("\(path):"))
            #expect(try await run(["run", "from-erp"]).status == 0)
            #expect([0, 2].contains(try await run(["run", "to-erp"]).status))
            #expect(try await run(["status"]).status == 0)
            let bundle = try await run(["bundle", "--output", harness.spoolDirectory + "/.."])
            #expect(bundle.status == 0, "\(bundle.standardError)")
            #expect(harness.session.simulator.receivedRecords("work-orders").count > 0)
            #expect(harness.leakedSecrets(in: outputs + [harness.spoolText()]).isEmpty)
        }
    }

    @Test func aLineThatCannotBeReadStopsWith78NamingItsNumberButNotItsText() async throws {
        try await withConnector(orders: 10, laborTickets: 0, extra: [:]) { (harness: ConnectorHarness) async throws in
            let (path, unset) = try writeFile(harness, windows: true)
            let secret = harness.session.setting("D365_CLIENT_SECRET")
            // The secret's line loses its equals sign, as a paste gone wrong does.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let broken = text.split(separator: "\r\n").map { $0.contains(secret) ? "D365_CLIENT_SECRET \(secret)" : String($0) }
            let lineNumber = try #require(broken.firstIndex { $0.contains(secret) }) + 1
            try Data(broken.joined(separator: "\r\n").utf8).write(to: URL(fileURLWithPath: path))
            for arguments in [["config", "check"], ["run", "from-erp"]] {
                let result = try await harness.run(arguments + ["--config", path], changing: unset)
                #expect(result.status == 78, "\(result.standardError)")
                #expect(result.standardError.contains("line \(lineNumber) of \(path)"), "\(result.standardError)")
                #expect(!result.standardError.contains(secret) && !result.standardOutput.contains(secret))
            }
        }
    }
}
