import Foundation
import Logging
import Sync
import Synchronization

/// How a long run shows it is moving: on a terminal, one line on standard error rewritten in place; elsewhere (the
/// journal, a file), a log line at most every 30 s, so that a run of many minutes is not silent and a short one adds
/// nothing. Each gives the count and the rate since the stage began.
enum RunProgress {
    static func make(logger: Logger) -> Sync.Progress {
        let onTerminal = isatty(STDERR_FILENO) == 1
        return make(onTerminal: onTerminal) { text in
            if onTerminal {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(text ?? "")".utf8))
            } else if let text {
                logger.info("\(text)")
            }
        }
    }

    /// `show` gets each line to show, and `nil` when the terminal's line is to be cleared.
    static func make(
        onTerminal: Bool, every interval: TimeInterval = 30, now: @escaping @Sendable () -> Date = Date.init,
        show: @escaping @Sendable (String?) -> Void
    ) -> Sync.Progress {
        let current = Mutex<(stage: String, began: Date, shown: Date)?>(nil)
        return Sync.Progress { step in
            guard let step else {
                current.withLock { $0 = nil }
                if onTerminal { show(nil) }
                return
            }
            let time = now()
            let (began, due) = current.withLock { state -> (Date, Bool) in
                guard let known = state, known.stage == step.stage else {
                    state = (step.stage, time, time)
                    return (time, onTerminal)
                }
                let due = onTerminal || time.timeIntervalSince(known.shown) >= interval
                if due { state?.shown = time }
                return (known.began, due)
            }
            guard due else { return }
            show(text(step, seconds: time.timeIntervalSince(began)))
        }
    }

    /// `pulling from D365: 120 of 238 queries, 41.5 queries/s`.
    static func text(_ step: Sync.Progress.Step, seconds: TimeInterval) -> String {
        let rate = seconds >= 1 ? ", \(String(format: "%.1f", Double(step.done) / seconds)) \(step.unit)/s" : ""
        return "\(step.stage): \(step.done) of \(step.total) \(step.unit)\(rate)"
    }
}
