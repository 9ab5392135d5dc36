import Foundation
import HTTP
import TestSupport
import Testing

struct SimulateCommandTests {
    @Test func simulatePrintsTheConnectorsConfigurationServesAndStopsOnSIGTERM() async throws {
        try await withTemporaryDirectory { directory in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: D365MMBinary.path)
            process.arguments = ["simulate", "--orders", "30", "--page-size", "5", "--env-file", directory + "/sim.env"]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // The configuration lines come first; wait for the env file to hold all of them.
            var lines: [String: String] = [:]
            for _ in 0..<100 where lines.count < 11 {
                try await Task.sleep(for: .milliseconds(100))
                let text = (try? String(contentsOfFile: directory + "/sim.env", encoding: .utf8)) ?? ""
                lines = Dictionary(
                    text.split(separator: "\n").compactMap { line in
                        line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
                    }, uniquingKeysWith: { $1 })
            }
            for key in [
                "D365_ENVIRONMENT_HOST", "D365_TENANT_ID", "D365_CLIENT_ID", "D365_CLIENT_SECRET", "MAPPING_SERVICE_TOKEN",
                "MAPPING_SERVICE_URL", "MAPPING_AUTH_SERVICE_URL", "D365_DEFAULT_SITE_ID", "D365_DEFAULT_DATA_AREA_ID", "AZURE_AUTHORITY_HOST",
            ] {
                #expect(lines[key] != nil, "\(key) is not printed")
            }
            let host = try #require(lines["D365_ENVIRONMENT_HOST"])
            #expect(host.hasPrefix("http://127.0.0.1:"))
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/sim.env")
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            let summary = try await HTTPClient.withClient { client in
                try await client.send(HTTPRequest(url: host + "/_sim/summary"), timeout: .seconds(10))
            }
            #expect(summary.status == 200)
            #expect(summary.jsonObject?["pendingLaborTickets"] != nil)

            process.terminate()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(stdout.contains("D365_ENVIRONMENT_HOST=\(host)\n"))
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(stderr.contains("serving on \(host)"))
        }
    }

    @Test func aBadFaultIsAUsageError() async throws {
        let result = try await D365MMBinary.run(["simulate", "--fault", "service=d365,status=200"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("status must be between 400 and 599"))
    }

    @Test func anEnvFileThatCannotBeWrittenIsNamedAndStopsTheSimulator() async throws {
        try await withTemporaryDirectory { directory in
            let result = try await D365MMBinary.run(["simulate", "--orders", "5", "--env-file", directory + "/missing/sim.env"])
            #expect(result.status == 64)
            #expect(result.standardError.contains("cannot write --env-file \(directory)/missing/sim.env"))
        }
    }
}
