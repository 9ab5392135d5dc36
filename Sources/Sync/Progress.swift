/// Progress of a long stage, for people at a terminal: one line, rewritten in place.
public struct Progress: Sendable {
    private let sink: (@Sendable (String?) -> Void)?

    /// `sink` gets each new text, and `nil` when the stage is done.
    public init(sink: (@Sendable (String?) -> Void)?) { self.sink = sink }

    public static let silent = Progress(sink: nil)

    func update(_ text: String) { sink?(text) }
    func finish() { sink?(nil) }
}
