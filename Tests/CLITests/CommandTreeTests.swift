import Foundation
import TestSupport
import Testing

struct CommandTreeTests {
    @Test func helpListsEveryCommandOfTheContractAndTheExitStatuses() async throws {
        let result = try await D365MMBinary.run(["--help"])
        #expect(result.status == 0)
        for command in ["run", "status", "spool", "config", "doctor", "bundle", "simulate"] {
            #expect(result.standardOutput.contains("  \(command)"), "\(command) is missing from --help")
        }
        let words = result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for code in [
            "0 success", "1 unexpected", "2 partial", "64 usage error", "73 another run holds the spool lock", "75 temporary failure",
            "77 authentication or permission refused", "78 configuration error",
        ] {
            #expect(words.contains(code), "exit status \(code) is not explained")
        }
        let run = try await D365MMBinary.run(["run", "--help"])
        #expect(run.standardOutput.contains("from-erp") && run.standardOutput.contains("to-erp"))
    }

    @Test func versionPrintsTheVersion() async throws {
        let result = try await D365MMBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(
            result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test(arguments: [["status"], ["bundle"], ["spool", "ls"]])
    func spoolCommandsWithoutASpoolNameTheVariableAndExit78(_ arguments: [String]) async throws {
        let result = try await D365MMBinary.run(arguments, environment: ["D365MM_SPOOL_DIR": "/nonexistent/d365mm-spool"])
        #expect(result.status == 78)
        #expect(result.standardError.contains("D365MM_SPOOL_DIR (/nonexistent/d365mm-spool) is not a directory"))
    }

    @Test(arguments: [["run", "from-erp"], ["run", "to-erp"], ["config", "check"]])
    func withoutConfigurationEveryRequiredVariableIsNamedAndTheExitIs78(_ arguments: [String]) async throws {
        let result = try await D365MMBinary.run(arguments)
        #expect(result.status == 78)
        for variable in [
            "D365_ENVIRONMENT_HOST (D365 Environment Host)", "D365_TENANT_ID (D365 Tenant Id)", "D365_CLIENT_ID (D365 Client Id)",
            "D365_CLIENT_SECRET (D365 Client Secret)", "MAPPING_SERVICE_TOKEN (Mapping Service Token)",
            "MAPPING_SERVICE_URL (Mapping Service URL)", "MAPPING_AUTH_SERVICE_URL (Mapping Auth Service URL)",
            "D365_DEFAULT_SITE_ID (D365 Default Site Id)", "D365_DEFAULT_DATA_AREA_ID (D365 Default Data Area Id)",
        ] {
            #expect(result.standardError.contains("\(variable): is required"), "\(variable) is not named")
        }
    }

    @Test func anUnknownCommandIsAUsageError() async throws {
        let result = try await D365MMBinary.run(["frobnicate"])
        #expect(result.status == 64)
    }
}
