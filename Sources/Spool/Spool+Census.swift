import Foundation

/// How many items a folder holds, by direction, and how old the oldest is: what `status` lists and the metrics file
/// reports for `failed/`.
public struct FolderCensus: Sendable, Equatable {
    public var count = 0
    public var oldest: Date?

    public init(count: Int = 0, oldest: Date? = nil) {
        self.count = count
        self.oldest = oldest
    }
}

extension Spool {
    /// The items of `folder` by direction (`from-erp`, `to-erp`, or `other` for names that do not say).
    public func census(of folder: SpoolFolder) -> [String: FolderCensus] {
        var counts: [String: FolderCensus] = [:]
        for name in (try? items(in: folder)) ?? [] {
            let direction =
                ItemName(parsing: name)?.direction.rawValue
                ?? (name.contains("_to-erp_") ? "to-erp" : name.contains("_from-erp_") ? "from-erp" : "other")
            var entry = counts[direction, default: FolderCensus()]
            entry.count += 1
            if let time = attributes(of: name, in: folder)?.modified, time < (entry.oldest ?? .distantFuture) { entry.oldest = time }
            counts[direction] = entry
        }
        return counts
    }
}
