import Foundation
import Logging
import Redaction

/// Log lines on standard error that fit where they go: `<N>` priority prefixes when standard error is the journal
/// (journald turns them into levels and stamps the time), a time and level anywhere else (a terminal, a file, a pipe).
/// Every line carries the run id and passes through the redactor, so that no secret reaches a log.
struct JournalLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let redactor: Redactor
    let toJournal: Bool

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
        if toJournal {
            line = "<\(Self.priority(event.level))>\(text)\n"
        } else {
            line = "\(Self.time()) \(Self.name(event.level).padding(toLength: 5, withPad: " ", startingAt: 0)) \(text)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
        RunLog.write("\(Self.time()) \(Self.name(event.level)) \(text)\n")
    }

    /// Whether standard error is the journal: systemd sets `JOURNAL_STREAM` to the device and inode of the stream it
    /// connects, and a child whose standard error was redirected elsewhere inherits the variable but not the stream.
    static func standardErrorIsJournal(_ environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"]?.split(separator: ":"), stream.count == 2,
            let device = UInt64(stream[0]), let inode = UInt64(stream[1])
        else { return false }
        var status = stat()
        return fstat(STDERR_FILENO, &status) == 0 && UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
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
