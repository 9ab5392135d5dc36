/// Progress of a long stage: how far it is, for a terminal's line rewritten in place, or a log line now and then.
public struct Progress: Sendable {
    /// How far a stage is: `done` of `total` `unit` (queries, batches, files).
    public struct Step: Sendable, Equatable {
        public let stage: String
        public let done: Int
        public let total: Int
        public let unit: String
    }

    private let sink: (@Sendable (Step?) -> Void)?

    /// `sink` gets each step, and `nil` when the stage is done.
    public init(sink: (@Sendable (Step?) -> Void)?) { self.sink = sink }

    public static let silent = Progress(sink: nil)

    func update(_ stage: String, done: Int, of total: Int, _ unit: String) { sink?(Step(stage: stage, done: done, total: total, unit: unit)) }
    func finish() { sink?(nil) }
}
