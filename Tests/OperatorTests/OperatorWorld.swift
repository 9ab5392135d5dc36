import Foundation
import Simulator
import TestSupport

/// A simulated world where both directions have run once: from-erp sent everything, to-erp wrote the valid labor
/// tickets and failed the rest (so failed/ holds ticket records with their error sidecars).
func withRanConnector(
    _ configure: (inout SimulatorOptions) -> Void = { _ in }, extra: [String: String] = [:],
    _ body: (ConnectorHarness) async throws -> Void
) async throws {
    try await withConnector(orders: 120, laborTickets: 36, configure: configure, extra: ["WRITE_LTS_TO_D365": "true"].merging(extra) { $1 }) {
        harness in
        _ = try await harness.run(["run", "from-erp"])
        _ = try await harness.run(["run", "to-erp"])
        try await body(harness)
    }
}

extension ConnectorHarness {
    /// Sets the modification time of every file in `folder` to `seconds` ago.
    func age(_ folder: String, by seconds: TimeInterval) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(spoolDirectory)/\(folder)") {
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: "\(spoolDirectory)/\(folder)/\(name)")
        }
    }
}
