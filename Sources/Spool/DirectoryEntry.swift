import Foundation

/// One entry of a folder as the file system holds it: its name is bytes, which need not be UTF-8.
struct DirectoryEntry {
    let name: [UInt8]
    let type: UInt8

    /// The entries of `directory` but `.` and `..`; `nil` when it does not exist.
    static func list(_ directory: String) throws -> [DirectoryEntry]? {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return nil }
            throw SpoolError.system("list", directory)
        }
        defer { closedir(handle) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard name != [0x2E] && name != [0x2E, 0x2E] else { continue }
            entries.append(DirectoryEntry(name: name, type: entry.pointee.d_type))
        }
        return entries
    }

    /// Hidden names (`.name`) are the spool's own: temporary files, the lock.
    var isHidden: Bool { name.first == 0x2E }

    /// Whether the entry is a regular file; a symbolic link is not, wherever it leads.
    func isRegularFile(in directory: String) -> Bool {
        // The listing says what an entry is on most file systems; posted/ can hold thousands of files, and every run
        // lists it.
        switch Int32(type) {
        case Int32(DT_REG): return true
        case Int32(DT_UNKNOWN):
            var status = stat()
            return lstat(path(in: directory), &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        default: return false
        }
    }

    /// The entry's path in `directory`, as the C string the system calls take.
    func path(in directory: String) -> [CChar] {
        (Array(directory.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }
    }
}
