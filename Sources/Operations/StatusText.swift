import Foundation
import JSON
import Spool

/// `d365mm status` for people: fits 80 columns, says what needs attention first.
extension StatusReport {
    public var text: String {
        var lines: [String] = []
        lines.append("d365mm status, \(Self.clock(generatedAt)) UTC")
        // A long path keeps its start and end, which say which instance it is.
        let path = spoolRoot.count <= 72 ? spoolRoot : spoolRoot.prefix(30) + "…" + spoolRoot.suffix(41)
        lines.append("spool: \(path)")
        lines.append("")
        lines.append(Self.columns(["Spool", "from-erp", "to-erp", "other"]))
        for folder in Self.folderOrder {
            let counts = folders[folder] ?? [:]
            let cells = ["from-erp", "to-erp", "other"].map { direction -> String in
                guard let entry = counts[direction], entry.count > 0 else { return direction == "other" ? "" : "0" }
                if folder == .posted { return "\(entry.count)" }
                return "\(entry.count)" + (entry.oldest.map { ", oldest \(Self.age(generatedAt.timeIntervalSince($0)))" } ?? "")
            }
            lines.append(Self.columns(["  \(folder.rawValue)/"] + cells))
        }
        lines.append("  archive/    \(archives.count) archive(s), \(Self.bytes(archives.bytes))")
        lines.append("  pages/      \(pages.count) distinct page(s) pulled, \(Self.bytes(pages.bytes))")
        lines.append("")
        lines.append("Last runs")
        if runs.isEmpty { lines.append("  none yet") }
        for run in runs.prefix(6) {
            let outcome: String
            let duration: String
            switch state(of: run) {
            case "running":
                (outcome, duration) = ("running", "for \(Self.age(generatedAt.timeIntervalSince(run.startedAt)))")
            case "killed":
                (outcome, duration) = ("killed", "did not finish")
            default:
                outcome = "\(run.outcome ?? "?") (\(run.exitCode ?? -1))"
                duration = Self.age((run.endedAt ?? generatedAt).timeIntervalSince(run.startedAt))
            }
            lines.append("  \(Self.clock(run.startedAt))  \(run.direction.padding(toLength: 8, withPad: " ", startingAt: 0)) \(outcome), \(duration)")
            if let moved = Self.counts(run.summary) { lines.append("      " + Self.clip(moved, 72)) }
        }
        lines.append("")
        let attention = attentionLines
        lines.append(attention.isEmpty ? "Nothing needs attention." : "Needs attention")
        // The database's problem and the certificate's expiry are said whole: they say what to do.
        lines += attention.map {
            [databaseProblem, credentialNotice].contains($0) ? Self.wrapped($0, 76).map { "  " + $0 } : ["  " + Self.clip($0, 76)]
        }.joined()
        if let timers {
            lines.append("")
            lines.append(timers.isEmpty ? "systemd: no d365mm timers are installed." : "Timers (systemctl list-timers)")
            lines += timers.map { "  " + Self.clip($0, 76) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var attentionLines: [String] {
        var lines: [String] = []
        if let databaseProblem { lines.append(databaseProblem) }
        if let credentialNotice { lines.append(credentialNotice) }
        let failedItems = (folders[.failed] ?? [:]).values.reduce(0) { $0 + $1.count }
        if failedItems > 0 { lines.append("\(failedItems) file(s) in failed/: d365mm spool ls failed, then spool show NAME") }
        if !ticketFailures.isEmpty {
            lines.append("\(ticketFailures.count) labor ticket revision(s) cannot be written to D365, e.g.")
            lines += ticketFailures.prefix(3).map { "  \($0.ticketID) r\($0.revision): \($0.message)" }
        }
        if !rejections.isEmpty {
            lines.append("MachineMetrics rejects \(rejections.count) record(s), e.g.")
            lines += rejections.prefix(3).map { "  \($0.collection) \($0.key): \($0.code) \($0.message)" }
        }
        let overdue = overdueJournals
        if !overdue.isEmpty {
            lines.append(
                "\(overdue.count) journal(s) unposted for over a day: \(overdue.prefix(4).joined(separator: ", "))\(overdue.count > 4 ? ", …" : "")")
        }
        let postingErrors = unpostedJournals.filter { $0.error != nil }
        if !postingErrors.isEmpty {
            lines.append("\(postingErrors.count) journal(s) could not be posted, e.g. \(postingErrors[0].journal): \(postingErrors[0].error ?? "")")
        }
        if !strayNames.isEmpty {
            lines.append("\(strayNames.count) file(s) named in bytes that are not UTF-8, e.g. \(strayNames[0]): the next run renames them")
        }
        let held = (folders[.hold] ?? [:]).values.reduce(0) { $0 + $1.count }
        if held > 0 { lines.append("\(held) file(s) parked in hold/: d365mm spool release NAME puts one back") }
        return lines
    }

    private static func counts(_ summary: String?) -> String? {
        guard let summary, let parsed = try? JSONParser.parse(Array(summary.utf8)), case .object(let counts)? = parsed["counts"],
            !counts.members.isEmpty
        else {
            return nil
        }
        return counts.members.map { "\($0.key) \($0.value.intValue ?? 0)" }.joined(separator: ", ")
    }

    private static func columns(_ cells: [String]) -> String {
        var line = cells[0].padding(toLength: 14, withPad: " ", startingAt: 0)
        for cell in cells.dropFirst() { line += clip(cell, 20).padding(toLength: 22, withPad: " ", startingAt: 0) }
        return String(line.reversed().drop { $0 == " " }.reversed())
    }

    /// A file's size for people: bytes when small.
    public static func sizeText(_ count: Int64) -> String { count < 10_240 ? "\(count) B" : bytes(count) }

    /// `text` in lines of at most `width` characters, broken between words.
    static func wrapped(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return line.isEmpty ? lines : lines + [line]
    }

    public static func clip(_ text: String, _ width: Int) -> String { text.count <= width ? text : String(text.prefix(width - 1)) + "…" }

    public static func age(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<90: return "\(Int(seconds.rounded())) s"
        case ..<5400: return "\(Int((seconds / 60).rounded())) min"
        case ..<172_800: return "\(Int((seconds / 3600).rounded())) h"
        default: return "\(Int((seconds / 86_400).rounded())) d"
        }
    }

    static func bytes(_ count: Int64) -> String {
        count < 1_048_576 ? "\(count / 1024) KB" : String(format: "%.1f MB", Double(count) / 1_048_576)
    }

    private static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
