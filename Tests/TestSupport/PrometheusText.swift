import Foundation

/// A reader of the Prometheus text exposition format strict enough to refuse what node_exporter's textfile collector
/// refuses: a sample of a family without a `# TYPE`, a malformed label set or value, a name that is not a metric name.
public struct PrometheusText: Sendable {
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double

        func matches(_ name: String, _ labels: [String: String]) -> Bool {
            self.name == name && labels.allSatisfy { key, value in self.labels[key] == value }
        }
    }

    public private(set) var types: [String: String] = [:]
    public private(set) var samples: [Sample] = []

    public struct Malformed: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public init(_ text: String) throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let number = index + 1
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw Malformed(line: number, reason: "a TYPE line is '# TYPE name type'")
                }
                guard types[String(parts[2])] == nil else { throw Malformed(line: number, reason: "\(parts[2]) is typed twice") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let match = line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)( -?[0-9]+)?/) else {
                throw Malformed(line: number, reason: "not a sample: \(line)")
            }
            let name = String(match.1)
            guard types[name] != nil else { throw Malformed(line: number, reason: "\(name) has no TYPE before its samples") }
            guard let value = Double(match.3) else { throw Malformed(line: number, reason: "\(match.3) is not a value") }
            var labels: [String: String] = [:]
            if let set = match.2 {
                let pairs = set.dropFirst().dropLast().matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/)
                for pair in pairs { labels[String(pair.1)] = String(pair.2) }
                // Every character between the braces belongs to a label: anything else is malformed.
                guard pairs.map(\.output.0.count).reduce(0, +) == set.count - 2 else {
                    throw Malformed(line: number, reason: "labels \(set) do not read")
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    /// The value of the one sample of `name` whose labels include `labels`; `nil` when there is none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.matches(name, labels) }?.value
    }

    /// The values of every sample of `name` whose labels include `labels`, added.
    public func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { $0.matches(name, labels) }.map(\.value).reduce(0, +)
    }
}
