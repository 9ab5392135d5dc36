import Simulator
import Testing
import Vocabulary

/// The simulator keeps its own copy of F&O's entities, as a real service would: here the two are held to each other,
/// so that a privilege or a field renamed on one side only fails a test instead of passing against a wrong simulator.
struct VocabularyTests {
    @Test(arguments: EntitySet.all)
    func everyEntitySetTheConnectorUsesIsServedWithTheSamePrivilegesAndFields(_ entitySet: EntitySet) throws {
        let served = try #require(Entities.named(entitySet.name), "the simulator serves \(entitySet)")
        #expect(served.viewPrivilege == entitySet.viewPrivilege)
        if let maintain = served.maintainPrivilege { #expect(maintain == entitySet.maintainPrivilege) }
        let fields = Set(served.fields.map(\.name))
        for field in entitySet.pull?.select ?? [] {
            #expect(fields.contains(field), "\(entitySet) has \(field)")
        }
    }
}
