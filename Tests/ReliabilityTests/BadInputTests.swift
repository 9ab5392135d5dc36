import Foundation
import JSON
import Simulator
import Spool
import TestSupport
import Testing

/// Garbage of every kind in every spool folder, and a spool whose disk fills up: a clear error, nothing lost.
struct BadInputTests {
    enum Damage: String, CaseIterable {
        case garbage, truncated, empty, huge, wrongSchema, checksumMismatch

        /// The damaged bytes, for a file that would belong in `folder`.
        func bytes(for folder: String, direction: Direction) -> [UInt8] {
            let schema = folder == "inbox" ? Envelope.inboxSchema : Envelope.outboundSchema
            let kind =
                direction == .toERP
                ? (folder == "inbox" ? "labor-tickets" : "RouteCardProductionJournalEntries") : (folder == "inbox" ? "Workers" : "persons")
            let valid = Envelope(
                schema: schema, runID: "rbad000", direction: direction, kind: kind, createdAt: Date(),
                records: [.object(JSONObject([("key", "usmf/x"), ("name", "x")]))]
            ).encoded()
            switch self {
            case .garbage: return (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
            case .truncated: return Array(valid.prefix(valid.count / 2))
            case .empty: return []
            case .huge: return [UInt8](repeating: UInt8(ascii: "x"), count: 24 * 1_048_576)
            case .wrongSchema:
                return Envelope(
                    schema: schema == Envelope.inboxSchema ? Envelope.outboundSchema : Envelope.inboxSchema, runID: "rbad000",
                    direction: direction, kind: kind, createdAt: Date(), records: []
                ).encoded()
            case .checksumMismatch:
                return Array(String(decoding: valid, as: UTF8.self).replacingOccurrences(of: "\"name\":\"x\"", with: "\"name\":\"y\"").utf8)
            }
        }
    }

    static let cases: [(Damage, String, Direction)] = Damage.allCases.flatMap { damage in
        ["inbox", "outbound"].flatMap { folder in [Direction.fromERP, .toERP].map { (damage, folder, $0) } }
    }

    @Test(arguments: cases)
    func aDamagedFileGoesToFailedWithItsReasonAndTheRestGoesThrough(_ damage: Damage, _ folder: String, _ direction: Direction) async throws {
        try await withConnector(orders: 40, laborTickets: 12, extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
            let name = "20261120T000000Z_rbad000_\(direction.rawValue)_\(damage.rawValue)_0001.json"
            try FileManager.default.createDirectory(atPath: "\(harness.spoolDirectory)/\(folder)", withIntermediateDirectories: true)
            try Data(damage.bytes(for: folder, direction: direction)).write(to: URL(fileURLWithPath: "\(harness.spoolDirectory)/\(folder)/\(name)"))
            let run = try await harness.run(["run", direction.rawValue])
            #expect(run.status == 2, "\(run.standardError)")
            #expect(harness.files("failed").contains(name), "\(damage) in \(folder)/ went to failed/")
            let sidecar = try String(contentsOfFile: "\(harness.spoolDirectory)/failed/\(Sidecar.errorName(for: name))", encoding: .utf8)
            #expect(sidecar.contains("\"reason\"") && sidecar.contains("\"whatToDo\""))
            try await Invariants.settle(harness)
            let problems = Invariants.problems(harness)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test func damagedFilesWhereNoRunReadsWorkAreLeftAloneAndDoNotStopAnything() async throws {
        try await withConnector(orders: 40, laborTickets: 12, extra: ["WRITE_LTS_TO_D365": "true"]) { (harness: ConnectorHarness) async throws in
            try await Invariants.settle(harness, rounds: 1)
            for folder in ["failed", "hold", "posted"] {
                try Data(Damage.garbage.bytes(for: folder, direction: .fromERP)).write(
                    to: URL(fileURLWithPath: "\(harness.spoolDirectory)/\(folder)/garbage.json"))
            }
            try Data().write(to: URL(fileURLWithPath: "\(harness.spoolDirectory)/tmp/.half-written.json.1"))
            try await Invariants.settle(harness)
            #expect(Invariants.problems(harness).isEmpty)
            for folder in ["failed", "hold", "posted"] { #expect(harness.files(folder).contains("garbage.json"), "\(folder)/ keeps it") }
            #expect(try await harness.run(["status"]).status == 0)
            #expect(try await harness.run(["spool", "show", "garbage.json"]).standardOutput.contains("not a valid spool file"))
        }
    }

    @Test func aFullDiskStopsTheRunClearlyAndTheNextRunAfterSpaceIsFreedCompletes() async throws {
        try await withTemporaryDirectory { directory in
            let mountPoint = directory + "/small"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            guard mount(["-t", "tmpfs", "-o", "size=384k", "tmpfs", mountPoint]) else {
                print("skipped: a small tmpfs cannot be mounted here (not root, or no CAP_SYS_ADMIN), so a full disk cannot be simulated")
                return
            }
            defer { _ = mount(["-u", mountPoint], program: "/usr/bin/umount") }
            try await withSimulator({
                $0.dataSet.orders = 120
                $0.dataSet.laborTickets = 12
            }) { session in
                let harness = ConnectorHarness(session: session, spoolDirectory: mountPoint + "/spool", extra: ["WRITE_LTS_TO_D365": "true"])
                let full = try await harness.run(["run", "from-erp"])
                #expect(full.status != 0, "the disk filled up")
                #expect(full.standardError.contains("free space") || full.standardError.contains("full"), "\(full.standardError)")
                #expect(harness.leakedSecrets(in: [full.standardError]).isEmpty)
                #expect(mount(["-o", "remount,size=64m", mountPoint]), "space is freed")
                try await Invariants.settle(harness)
                let problems = Invariants.problems(harness)
                #expect(problems.isEmpty, "\(problems)")
            }
        }
    }

    private func mount(_ arguments: [String], program: String = "/usr/bin/mount") -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
