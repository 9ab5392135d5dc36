/// Something an operator's command could not do, in words that say what and where.
public struct OperationsError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
