import Foundation

/// SQLite's `BINARY` collation: text ordered by its UTF-8 bytes, as keys lie in an index. Swift's own `<` on
/// strings orders by Unicode scalars after normalisation, which can differ.
enum BinaryCollation {
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in rhs.withUTF8 { right in order(left, right) < 0 } }
    }

    /// Negative when `left` sorts first, zero when both are the same bytes, positive otherwise.
    static func order(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(left.count, right.count)
        if common > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress {
            let order = memcmp(leftBase, rightBase, common)
            if order != 0 { return Int(order) }
        }
        return left.count - right.count
    }
}
