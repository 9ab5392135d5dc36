import Foundation
import Logging
import Redaction

/// Log lines on standard error in the systemd journal's style: `<N>` priority prefixes when not on a terminal
/// (journald turns them into levels), a time and level when on one. Every line carries the run id and passes
/// through the redactor, so that no secret reaches the journal.
struct JournalLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let redactor: Redactor
    let onTerminal: Bool

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let run = merged.removeValue(forKey: "run").map { "[\($0)] " } ?? ""
        let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        // One event, one line: a name or an answer holding a line break cannot forge another entry.
        let text = PrintableText.escaped(redactor.redact("\(run)\(event.message)\(fields)"))
        let line: String
        if onTerminal {
            line = "\(Self.time()) \(Self.name(event.level).padding(toLength: 5, withPad: " ", startingAt: 0)) \(text)\n"
        } else {
            line = "<\(Self.priority(event.level))>\(text)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
        RunLog.write("\(Self.time()) \(Self.name(event.level)) \(text)\n")
    }

    /// syslog priorities, as journald reads them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "debug"
        case .info, .notice: return "info"
        case .warning: return "warn"
        case .error, .critical: return "error"
        }
    }

    static func time() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
