import D365
import Foundation
import JSON
import Mapping
import Spool
import Vocabulary

/// The labor import's names.
enum LaborImport {
    /// The MachineMetrics collection the import sends to, and the kind of its outbound files.
    static let collection = RecordCollection.laborTickets
    /// Lines posted this long before the newest one seen are read again: postings that commit late are not missed,
    /// and the content hashes keep any line from being sent twice.
    static let overlap: TimeInterval = 3600
}

extension ToERPRun {
    /// `IMPORT_LTS_TO_MM`: posted journal lines of the site that this connector did not write → MachineMetrics
    /// `labor-tickets`. Reads from a watermark on `PostedDateTime` (at first, the reconciliation window back).
    func importLabor(_ report: inout RunReport) async throws {
        let watermarkName = "labor-import \(options.entitySet.name)"
        let formatter = ISO8601DateFormatter()
        let start =
            try database.watermark(watermarkName).flatMap { formatter.date(from: $0) }.map { $0.addingTimeInterval(-LaborImport.overlap) }
            ?? Date().addingTimeInterval(-options.reconciliationWindow)
        let filter = ODataFilter.allOf([
            ODataFilter.equals("dataAreaId", options.dataAreaID), ODataFilter.equals("ProductionSiteId", options.siteID),
            ODataFilter.equals("IsPosted", enumType: "NoYes", member: "Yes"), "PostedDateTime gt \(formatter.string(from: start))",
        ])
        var newest: Date?
        var batch: [JSONValue] = []
        var names: [String] = []
        try await odata.readAll(ODataQuery(entitySet: options.entitySet, filter: filter, select: LaborImportMapping.selectedFields)) { page in
            for row in page.rows {
                if let posted = row["PostedDateTime"]?.stringValue.flatMap(formatter.date(from:)), posted > (newest ?? .distantPast) {
                    newest = posted
                }
                guard let record = try importable(row, &report) else { continue }
                batch.append(record.record)
                if batch.count == 1000 {
                    names.append(try writeImportFile(batch))
                    batch = []
                }
            }
        }
        if !batch.isEmpty { names.append(try writeImportFile(batch)) }
        try await postImportedLabor(names, &report)
        if let newest { try database.setWatermark(watermarkName, to: formatter.string(from: newest), at: Date()) }
    }

    /// The record for a line, unless this connector wrote the line, MachineMetrics already has it as it is, or
    /// MachineMetrics does not know its work order (it would refuse the line).
    private func importable(_ row: JSONValue, _ report: inout RunReport) throws -> MappedRecord? {
        let record: MappedRecord
        do {
            guard let mapped = try LaborImportMapping.record(row, entitySet: options.entitySet.name) else { return nil }
            record = mapped
        } catch {
            report.add(.laborLinesUnreadable)
            return nil
        }
        if try database.acceptedHash(collection: LaborImport.collection.rawValue, key: record.key) == record.hash { return nil }
        guard let order = record.record["workOrderKey"]?.stringValue,
            try database.acceptedHash(collection: RecordCollection.workOrders.rawValue, key: order) != nil
        else {
            report.add(.laborLinesWithoutWorkOrder)
            return nil
        }
        report.add(.laborLinesToImport)
        return record
    }

    private func writeImportFile(_ records: [JSONValue]) throws -> String {
        try files.write(
            records, kind: LaborImport.collection.rawValue, nameKind: LaborImport.collection.rawValue, schema: Envelope.outboundSchema, metadata: [:],
            to: .outbound
        ).name
    }

    /// Sends import files to MachineMetrics, as from-erp sends its batches.
    func postImportedLabor(_ names: [String], _ report: inout RunReport) async throws {
        guard !names.isEmpty else { return }
        let poster = MachineMetricsPoster(
            direction: .toERP, collections: [LaborImport.collection], spool: spool, database: database,
            machineMetrics: machineMetrics, runID: runID, logger: logger, progress: progress)
        try await poster.post(names, report: &report)
    }
}
