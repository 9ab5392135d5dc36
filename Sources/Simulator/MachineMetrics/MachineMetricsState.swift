import Foundation

/// What the simulated MachineMetrics holds: issued tokens, received ERP records, remembered batches, labor tickets.
struct MachineMetricsState {
    /// One ERP record as last received, and how many batches delivered it.
    struct ReceivedRecord {
        var json: [UInt8]
        var timesReceived: Int
    }

    /// A batch answered 200, remembered for idempotent replay.
    struct RememberedBatch {
        let digest: String
        let response: [UInt8]
    }

    /// One acknowledgement item as received.
    struct Acknowledgement {
        let id: String
        let revision: Int
        let status: String
        let erpReference: String?
        let message: String?
    }

    static let collections = ["work-orders", "operations", "resources", "persons", "parts", "labor-tickets"]

    let serviceToken: String
    var tokenLifetimeSeconds: Int
    var issued: [String: Date] = [:]
    var records: [String: [String: ReceivedRecord]] = [:]
    var batches: [String: RememberedBatch] = [:]
    var tickets: [LaborTicket]
    var acknowledgements: [Acknowledgement] = []
    /// Record keys to reject inside a 200 answer, for tests of per-record rejection.
    var rejectKeys: [String: String] = [:]

    init(serviceToken: String, tokenLifetimeSeconds: Int, tickets: [LaborTicket]) {
        self.serviceToken = serviceToken
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
        self.tickets = tickets
    }

    func ticketIndex(_ id: String) -> Int? {
        var low = 0
        var high = tickets.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if tickets[middle].id == id { return middle }
            if tickets[middle].id < id { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }
}
