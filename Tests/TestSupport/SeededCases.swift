import Foundation
import PropertyBased

/// Inputs drawn from swift-property-based's generators with a seed fixed by the test run, not by chance: `scripts/test`
/// draws the same cases every time, `D365MM_TEST_SEED` draws others and `scripts/test --full` (`D365MM_TEST_FULL=1`)
/// draws more. A failing case names its seed, which `D365MM_TEST_SEED` replays.
public enum SeededCases {
    /// The run's seed: `D365MM_TEST_SEED`, or a fixed one.
    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["D365MM_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_207
    }

    /// `quick` cases, or `full` under `D365MM_TEST_FULL=1`.
    public static func count(quick: Int, full: Int) -> Int {
        ProcessInfo.processInfo.environment["D365MM_TEST_FULL"] == "1" ? full : quick
    }

    /// A generator for case number `index` of the run's seed.
    public static func generator(case index: Int) -> Xoshiro {
        var mixer = SplitMix(seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return Xoshiro(seed: (mixer.next(), mixer.next(), mixer.next(), mixer.next()))
    }

    /// Runs `body` for `count` cases, each with its own generator and a label (`seed 20261207, case 3`) for the
    /// messages of its expectations, which `D365MM_TEST_SEED` and the case number replay.
    public static func forEach(count: Int, _ body: (_ label: String, _ random: inout Xoshiro) async throws -> Void) async rethrows {
        for index in 0..<count {
            var random = generator(case: index)
            try await body("seed \(seed), case \(index)", &random)
        }
    }

    /// SplitMix64, to spread one seed over Xoshiro's four words.
    private struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
