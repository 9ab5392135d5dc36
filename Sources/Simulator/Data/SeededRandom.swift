/// SplitMix64: small, fast and the same on every platform, so that a seed always gives the same data set.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }

    /// One of `choices`, picked with the given weights.
    mutating func weighted<T>(_ choices: [(T, Int)]) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var pick = Int.random(in: 0..<total, using: &self)
        for (choice, weight) in choices {
            if pick < weight { return choice }
            pick -= weight
        }
        return choices[choices.count - 1].0
    }

    /// A decimal in millionths between `low` and `high` (inclusive), with `places` decimal places.
    mutating func decimal(_ low: Double, _ high: Double, places: Int) -> Int64 {
        let step = Int64(pow10(6 - places))
        let lowSteps = Int64((low * 1_000_000).rounded()) / step
        let highSteps = Int64((high * 1_000_000).rounded()) / step
        return Int64.random(in: lowSteps...highSteps, using: &self) * step
    }

    private func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { result, _ in result * 10 } }
}

/// Number formatting without `String(format:)`, which is slow on Linux.
enum Digits {
    /// `value` with leading zeros to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
