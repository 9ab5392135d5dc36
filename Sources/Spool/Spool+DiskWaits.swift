import Dispatch

extension Spool {
    /// ``publish(_:as:in:)`` for a task, with the waits for the disk on a thread kept for them.
    ///
    /// Swift runs every task on as many threads as there are cores, and a task waiting in `fsync` holds one of them.
    /// On a two-core device, two pages being flushed stopped every other task of a run, the transform among them.
    public func publishOffTaskPool(_ bytes: [UInt8], as name: String, in folder: SpoolFolder) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Self.diskWaits.async {
                continuation.resume(with: Result { try publish(bytes, as: name, in: folder) })
            }
        }
    }

    private static let diskWaits = DispatchQueue(label: "d365mm.spool.disk-waits", attributes: .concurrent)
}
