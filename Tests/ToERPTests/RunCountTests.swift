import Sync
import Testing

/// The counts a run reports are read by scripts by their identifiers and by people by their labels: neither may
/// stand for two counts.
struct RunCountTests {
    @Test func everyCountHasItsOwnIdentifierAndLabel() {
        #expect(Set(RunCount.allCases.map(\.label)).count == RunCount.allCases.count)
        #expect(RunCount.allCases.allSatisfy { $0.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } })
        #expect(RunCount.recordsAccepted.label == "records accepted", "the label scripts/bench reads")
    }
}
