import Archive
import Foundation
import JSON

/// `pages/`: every distinct page the pulls brought, once, gzip-compressed and named by its address, so that a run in
/// which nothing changed writes no page again. Items and archives name pages by address; a page is read back only
/// after its checksum is found to be the one its name says.
public struct PageStore: Sendable {
    public let spool: Spool

    public init(spool: Spool) {
        self.spool = spool
    }

    /// What keeping a page took.
    public enum Keeping: Sendable, Equatable {
        case written
        /// An intact copy was there already: nothing was written.
        case alreadyKept
        /// The copy there was damaged, and why; it was replaced by this one.
        case repaired(String)
    }

    /// Keeps `page` unless an intact copy is already there. A damaged copy is replaced: the rows just pulled are the
    /// page as D365 has it.
    public func keep(_ page: StoredPage) throws -> Keeping {
        var outcome = Keeping.written
        if spool.entryKind(of: page.address.fileName, in: .pages) != nil {
            guard let damage = damage(of: page.address, comparedWith: page.bytes) else { return .alreadyKept }
            outcome = .repaired(damage)
        }
        let compressed = try Gzip.compress(page.bytes, name: path(of: page.address))
        try spool.publish(compressed, as: page.address.fileName, in: .pages)
        return outcome
    }

    /// ``keep(_:)`` for the tasks of a pull, with its waits for the disk off the task pool.
    public func keepOffTaskPool(_ page: StoredPage) async throws -> Keeping {
        try await Spool.offTaskPool { try keep(page) }
    }

    /// The records of the page at `address`, once its checksum is found to be what the address says.
    public func records(at address: PageAddress) throws(PageStoreError) -> [JSONValue] {
        try checkedRecords(of: document(at: address), address: address)
    }

    /// The page list kept at `address`, once its checksum is found to be what the address says.
    public func pageList(at address: PageAddress) throws(PageStoreError) -> PageList {
        let records = try records(at: address)
        do {
            return try PageList(records: records)
        } catch {
            throw PageStoreError(address: address, path: path(of: address), problem: .damaged("it holds no page list: \(error.description)"))
        }
    }

    /// The page's document, uncompressed, once its checksum is found to be what the address says.
    public func document(checkedAt address: PageAddress) throws(PageStoreError) -> [UInt8] {
        let bytes = try document(at: address)
        _ = try checkedRecords(of: bytes, address: address)
        return bytes
    }

    private func checkedRecords(of document: [UInt8], address: PageAddress) throws(PageStoreError) -> [JSONValue] {
        do {
            return try StoredPage.records(of: document, address: address)
        } catch {
            throw PageStoreError(address: address, path: path(of: address), problem: .damaged(error.description))
        }
    }

    /// Why the page at `address` cannot be read back as it was kept; `nil` when it is intact.
    public func problem(with address: PageAddress) -> PageStoreError? {
        do {
            _ = try records(at: address)
            return nil
        } catch {
            return error
        }
    }

    /// The page's document, uncompressed, not yet checked.
    private func document(at address: PageAddress) throws(PageStoreError) -> [UInt8] {
        let compressed: [UInt8]
        do {
            compressed = try spool.read(address.fileName, in: .pages)
        } catch let error as SpoolError where error.code == .vanished {
            throw PageStoreError(address: address, path: path(of: address), problem: .missing)
        } catch {
            throw PageStoreError(address: address, path: path(of: address), problem: .unreadable(String(describing: error)))
        }
        do {
            return try Gzip.decompress(compressed, name: path(of: address))
        } catch {
            throw PageStoreError(address: address, path: path(of: address), problem: .damaged("it is not a complete gzip stream (\(error.message))"))
        }
    }

    /// How the copy kept at `address` differs from `expected`, the page's document; `nil` when it does not.
    private func damage(of address: PageAddress, comparedWith expected: [UInt8]) -> String? {
        do {
            return try document(at: address) == expected ? nil : "its rows are not those its name's checksum stands for"
        } catch {
            switch error.problem {
            case .missing: return "it went missing"
            case .unreadable(let reason), .damaged(let reason): return reason
            }
        }
    }

    /// The addresses of the pages kept.
    public func addresses() throws -> [PageAddress] {
        try spool.entries(in: .pages).compactMap(PageAddress.init(fileName:))
    }

    /// Removes a page no item or archive names any more.
    public func remove(_ address: PageAddress) throws {
        try spool.removeUnnamedPage(address.fileName)
    }

    /// How many files `pages/` holds, and their bytes.
    public func usage() throws -> (files: Int, bytes: Int64) {
        let names = try spool.entries(in: .pages)
        return (names.count, names.reduce(0) { $0 + (spool.attributes(of: $1, in: .pages)?.size ?? 0) })
    }

    public func path(of address: PageAddress) -> String { spool.path(.pages, address.fileName) }
}

/// A page that cannot be read back as it was kept: which, where, and what is wrong.
public struct PageStoreError: Error, CustomStringConvertible, Sendable {
    public enum Problem: Sendable, CustomStringConvertible {
        case missing
        case unreadable(String)
        /// The file is there but does not hold the page its name says; why.
        case damaged(String)

        public var description: String {
            switch self {
            case .missing: return "it is missing"
            case .unreadable(let reason): return "it cannot be read: \(reason)"
            case .damaged(let reason): return "it is damaged: \(reason)"
            }
        }
    }

    public let address: PageAddress
    public let path: String
    public let problem: Problem

    public init(address: PageAddress, path: String, problem: Problem) {
        self.address = address
        self.path = path
        self.problem = problem
    }

    public var description: String {
        "the stored page \(path) \(problem); its rows are not used. The next pull that meets the same rows in D365 keeps them again"
    }
}
