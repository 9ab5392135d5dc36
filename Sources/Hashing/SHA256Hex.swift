import Crypto
import Foundation

/// SHA-256 as lower-case hex: content hashes, checksums and batch ids. This module is the only code that
/// touches swift-crypto.
public enum SHA256Hex {
    public static func digest(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        let hashedInPlace = bytes.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) } != nil
        if !hashedInPlace { hasher.update(data: Array(bytes)) }
        return hex(hasher.finalize())
    }

    public static func digest(_ text: String) -> String { digest(Array(text.utf8)) }

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

        /// The digest as its 32 bytes, without the hex text.
        public func finishBytes() -> SHA256Bytes { SHA256Bytes(hasher.finalize()) }
    }

    private static func hex(_ digest: SHA256.Digest) -> String { digest.withUnsafeBytes(hex) }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { characters in
            for (index, byte) in bytes.enumerated() {
                characters[2 * index] = hexDigit(byte >> 4)
                characters[2 * index + 1] = hexDigit(byte & 0x0F)
            }
            return 2 * bytes.count
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
}
