import Dispatch

extension Spool {
    /// ``publish(_:as:in:)`` for a task, with the waits for the disk on a thread kept for them.
    ///
    /// Swift runs every task on as many threads as there are cores, and a task waiting in `fsync` holds one of them.
    /// On a two-core device, two pages being flushed stopped every other task of a run, the transform among them.
    public func publishOffTaskPool(_ bytes: [UInt8], as name: String, in folder: SpoolFolder) async throws {
        try await Self.offTaskPool { try publish(bytes, as: name, in: folder) }
    }

    /// Runs `body`, which waits for the disk, on a thread kept for such waits (see ``publishOffTaskPool(_:as:in:)``).
    static func offTaskPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            diskWaits.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static let diskWaits = DispatchQueue(label: "d365mm.spool.disk-waits", attributes: .concurrent)
}
