import Crypto

/// A SHA-256 digest held as its 32 bytes: for digests made by the thousand and compared, never shown, where the hex
/// text of ``SHA256Hex`` would cost a string each.
public struct SHA256Bytes: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The digest of `bytes`.
    public init(digesting bytes: [UInt8]) {
        var stream = SHA256Hex.Stream()
        bytes.withUnsafeBytes { stream.update($0) }
        self = stream.finishBytes()
    }

    /// The digest whose 32 bytes are `bytes`; `nil` for any other length.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        Swift.withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
    }

    init(_ digest: SHA256.Digest) {
        digest.withUnsafeBytes { bytes in
            Swift.withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        }
    }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: words, body)
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// As ``SHA256Hex`` writes it: 64 lower-case hex digits.
    public var hex: String { withUnsafeBytes(SHA256Hex.hex) }

    public static func == (lhs: SHA256Bytes, rhs: SHA256Bytes) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
