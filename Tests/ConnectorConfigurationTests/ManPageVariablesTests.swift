import ConnectorConfiguration
import Foundation
import Testing

/// d365mm.conf(5) says of every variable what the program's one definition of it says: the seed's label, whether it is
/// required or its default, whether it is a secret, and what a valid value is. Adding a variable without its entry,
/// or changing a check without the page, fails here.
struct ManPageVariablesTests {
    static let page = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../man/d365mm.conf.5").standardized.path

    /// Each `.TP` entry of the VARIABLES section by the variable it names, as a reader sees it.
    static func entries() throws -> [String: String] {
        let source = try String(contentsOfFile: page, encoding: .utf8)
        let variables = try #require(source.range(of: "\n.SH VARIABLES\n"))
        let section = source[variables.upperBound...].components(separatedBy: "\n.SH ")[0]
        var entries: [String: String] = [:]
        for block in section.components(separatedBy: "\n.TP\n").dropFirst() {
            let lines = block.components(separatedBy: "\n")
            guard let name = lines.first?.firstMatch(of: /^\.B ([A-Z0-9_]+)$/)?.1 else { continue }
            let body = lines.dropFirst().prefix { !$0.hasPrefix(".SS") }.joined(separator: " ")
            entries[String(name)] = body.replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: "\\(aq", with: "'")
                .replacingOccurrences(of: #"\\f[BIRP]"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"(^| )\.[A-Z]+ "#, with: " ", options: .regularExpression)
        }
        return entries
    }

    @Test func everyVariableHasAnEntryThatAgreesWithItsDefinition() throws {
        let entries = try Self.entries()
        for variable in ConfigurationVariable.all {
            let entry = try #require(entries[variable.name], "d365mm.conf(5) has no entry for \(variable.name)")
            if let label = variable.label { #expect(entry.contains("\\(lq\(label)\\(rq"), "\(variable.name): the seed's label \(label)") }
            if variable.isRequired { #expect(entry.contains("Required"), "\(variable.name) is required") }
            if let value = variable.defaultValue { #expect(entry.contains("Default: \(value)."), "\(variable.name): default \(value)") }
            #expect(entry.contains("A secret") == variable.isSecret, "\(variable.name): whether it is a secret")
            #expect(entry.contains("Valid: \(variable.check)."), "\(variable.name): Valid: \(variable.check).\n  page: \(entry)")
        }
        let known = Set(ConfigurationVariable.all.map(\.name))
        #expect(Set(entries.keys).subtracting(known).isEmpty, "entries for variables the program does not read")
    }
}
