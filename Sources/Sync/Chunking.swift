/// Keys per `or` filter: keeps OData URLs well under the 2,048-character limit of IIS query strings.
let keysPerFilter = 25

extension Array {
    /// The elements in consecutive slices of at most `size`.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) }
    }
}
