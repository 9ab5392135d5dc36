import Foundation
import Synchronization

/// The current run's own log, `log/RUN.log` in the spool: the same redacted lines as the journal, kept with the
/// run's files so that its archive and a support bundle carry them.
enum RunLog {
    private static let file = Mutex<FileHandle?>(nil)

    static func open(path: String) {
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        file.withLock { $0 = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true) }
    }

    static func write(_ line: String) {
        file.withLock { $0?.write(Data(line.utf8)) }
    }

    static func close() {
        file.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }
}
