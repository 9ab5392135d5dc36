import Foundation
import JSON
import TestSupport
import Testing

/// Every command's `--help`, as an operator reads it at 80 columns, kept in `HelpSnapshots/`: a change to a help
/// text shows in review as a change to its snapshot. `D365MM_UPDATE_SNAPSHOTS=1 swift test --filter HelpSnapshot`
/// writes them anew.
struct HelpSnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("HelpSnapshots").path

    /// Every command path, from the binary's own command tree.
    static func commands() async throws -> [[String]] {
        let dump = try JSONParser.parse(Array(try await D365MMBinary.run(["--experimental-dump-help"]).standardOutput.utf8))
        var paths: [[String]] = []
        func walk(_ command: JSONValue, _ path: [String]) {
            guard let name = command["commandName"]?.stringValue, name != "help" else { return }
            let full = path.isEmpty ? [] : path + [name]
            paths.append(full)
            for sub in command["subcommands"]?.arrayValue ?? [] { walk(sub, path.isEmpty ? [""] : full) }
        }
        walk(try #require(dump["command"]), [])
        return paths.map { $0.filter { !$0.isEmpty } }
    }

    @Test func everyHelpTextMatchesItsSnapshotAndReadsAsProse() async throws {
        let update = ProcessInfo.processInfo.environment["D365MM_UPDATE_SNAPSHOTS"] == "1"
        let commands = try await Self.commands()
        #expect(commands.count > 20, "\(commands)")
        var expected = Set<String>()
        for command in commands {
            let help = try await D365MMBinary.run(command + ["--help"])
            #expect(help.status == 0, "\(command)")
            let file = "\(Self.folder)/\((["d365mm"] + command).joined(separator: "-")).txt"
            expected.insert(URL(fileURLWithPath: file).lastPathComponent)
            if update {
                try help.standardOutput.write(toFile: file, atomically: true, encoding: .utf8)
            } else {
                let snapshot = try? String(contentsOfFile: file, encoding: .utf8)
                #expect(
                    snapshot == help.standardOutput,
                    "d365mm \(command.joined(separator: " ")) --help changed; if meant, run D365MM_UPDATE_SNAPSHOTS=1 swift test --filter HelpSnapshot"
                )
            }
            // Prose wraps with single spaces: a run of them inside a sentence is a lost line continuation.
            // The usage line is the parser's, and not wrapped.
            for line in help.standardOutput.split(separator: "\n") where !line.hasPrefix("  ") && !line.hasPrefix("USAGE:") {
                #expect(!line.trimmingCharacters(in: .whitespaces).contains("   "), "d365mm \(command.joined(separator: " ")) --help: \(line)")
                #expect(line.count <= 80, "d365mm \(command.joined(separator: " ")) --help is wider than 80 columns: \(line)")
            }
        }
        let stale = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.folder)) ?? []).subtracting(expected)
        #expect(stale.isEmpty, "snapshots of commands that are gone: \(stale.sorted())")
    }
}
