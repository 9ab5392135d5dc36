/// Run ids: `r` and six hex digits, as in the contract's file names (`…_r7f3a9c_…`).
public enum RunIdentifier {
    public static func make() -> String {
        "r" + String(UInt32.random(in: 0...0xFF_FFFF), radix: 16).leftPadded(6)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
