import Foundation
import PropertyBased

/// File names as a Linux file system allows them and plants produce them: spaces, line breaks, escape sequences,
/// non-ASCII, bytes that are not UTF-8, a leading `-`, names that look like sidecars, and names up to 255 bytes.
public enum FileNames {
    private static let oddPieces: [String] = [
        " ", "\n", "\t", "-", "--", "é", "Ü", "日本語", "🚀", "\u{1B}[2J", "\u{7}", ".json", ".error.json", ".receipt.json", "%", "%E9", "\\",
        "'", "\"", "*", "?", "$HOME", "..", "~", "\u{202E}",
    ]

    private static var piece: Generator<[UInt8], some SendableSequenceType> {
        Gen<[UInt8]>.frequency(
            (5, Gen.letterOrNumber.string(of: 1...12).map { Array($0.utf8) }),
            (3, Gen<String?>.element(of: oddPieces).map { Array($0!.utf8) }),
            (1, Gen<UInt8>.value(in: 0x80...0xFF).array(of: 1...3))
        )
    }

    /// A name of 1 to 255 bytes, neither `.` nor `..`, with no `/` and no NUL; one in eight is over 200 bytes.
    public static var name: Generator<[UInt8], some SendableSequenceType> {
        PropertyBased.zip(piece.array(of: 1...12), Gen.int(in: 0...7), Gen.bool()).map { pieces, length, leadingDash in
            var bytes = (leadingDash ? Array("-".utf8) : []) + pieces.joined().filter { $0 != UInt8(ascii: "/") && $0 != 0 }
            if length == 0 {
                while bytes.count < 200 { bytes += Array("long-name-".utf8) }
                bytes += Array(".json".utf8)
            }
            bytes = Array(bytes.prefix(255))
            if bytes.isEmpty || bytes == [0x2E] || bytes == [0x2E, 0x2E] { bytes = Array("x".utf8) + bytes }
            return bytes
        }
    }

    /// `bytes` as the C string of a path in `directory`.
    public static func path(_ bytes: [UInt8], in directory: String) -> [CChar] {
        (Array(directory.utf8) + [UInt8(ascii: "/")] + bytes + [0]).map { CChar(bitPattern: $0) }
    }

    /// Writes `contents` to the file `bytes` in `directory`, whatever the name's bytes.
    public static func write(_ contents: [UInt8], as bytes: [UInt8], in directory: String) throws {
        let descriptor = open(path(bytes, in: directory), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HarnessError("cannot create a file named \(bytes) in \(directory): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard contents.withUnsafeBytes({ Foundation.write(descriptor, $0.baseAddress, $0.count) }) == contents.count else {
            throw HarnessError("cannot write \(directory)/\(bytes)")
        }
    }

    /// The names of the entries of `directory`, as bytes (`.` and `..` left out).
    public static func list(_ directory: String) -> [[UInt8]] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [[UInt8]] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }
}
