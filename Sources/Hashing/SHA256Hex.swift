import Foundation
import Crypto

/// SHA-256 as lower-case hex: content hashes, checksums and batch ids. The only code that touches swift-crypto.
public enum SHA256Hex {
    public static func digest(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    public static func digest(_ text: String) -> String { digest(Array(text.utf8)) }

    /// Hashes several pieces as one stream, without joining them in memory first.
    public static func digest(pieces: [[UInt8]], separator: [UInt8]) -> String {
        var hasher = SHA256()
        for (index, piece) in pieces.enumerated() {
            if index > 0 { hasher.update(data: separator) }
            hasher.update(data: piece)
        }
        return hex(hasher.finalize())
    }

    /// The digest of the file at `path`, read in chunks; `nil` when it cannot be read.
    public static func digest(fileAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var stream = Stream()
        while let chunk = try? handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            chunk.withUnsafeBytes { stream.update($0) }
        }
        return stream.finish()
    }

    /// A digest fed piece by piece.
    public struct Stream {
        private var hasher = SHA256()

        public init() {}

        public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

        public func finish() -> String { SHA256Hex.hex(hasher.finalize()) }
    }

    fileprivate static func hex(_ digest: SHA256.Digest) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in digest {
            characters.append(alphabet[Int(byte >> 4)])
            characters.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
