import Foundation

/// Writes OData JSON for rows of a table: a page of a collection, or one entity.
struct PageWriter {
    let baseURL: String
    let table: Table

    /// `{"@odata.context": …, ["@odata.count": N,] "value": [ … ] [, "@odata.nextLink": "…"]}`.
    func page(rows: ArraySlice<Int32>, select: [Int]?, count: Int?, nextLink: String?) -> [UInt8] {
        let fields = select ?? Array(table.definition.fields.indices)
        var writer = JSONWriter(capacity: 64 + rows.count * 48 * fields.count)
        writer.beginObject()
        writer.key("@odata.context")
        writer.string(context(select: select, single: false))
        if let count {
            writer.key("@odata.count")
            writer.integer(Int64(count))
        }
        writer.key("value")
        writer.beginArray()
        for row in rows { entity(Int(row), fields: fields, into: &writer) }
        writer.endArray()
        if let nextLink {
            writer.key("@odata.nextLink")
            writer.string(nextLink)
        }
        writer.endObject()
        return writer.bytes
    }

    /// One entity, as a read by key (with its `$select`) or a create answers it.
    func single(row: Int, select: [Int]? = nil) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("@odata.context")
        writer.string(context(select: select, single: true))
        writeFields(row, fields: select ?? Array(table.definition.fields.indices), into: &writer)
        writer.endObject()
        return writer.bytes
    }

    private func entity(_ row: Int, fields: [Int], into writer: inout JSONWriter) {
        writer.beginObject()
        writeFields(row, fields: fields, into: &writer)
        writer.endObject()
    }

    private func writeFields(_ row: Int, fields: [Int], into writer: inout JSONWriter) {
        writer.key("@odata.etag")
        writer.string(Self.etag(row: row, version: 1))
        for field in fields {
            let definition = table.definition.fields[field]
            writer.key(definition.name)
            writer.value(table.value(row: row, field: field), type: definition.type)
        }
    }

    private func context(select: [Int]?, single: Bool) -> String {
        var text = "\(baseURL)/data/$metadata#\(table.definition.setName)"
        if let select { text += "(" + select.map { table.definition.fields[$0].name }.joined(separator: ",") + ")" }
        if single { text += "/$entity" }
        return text
    }

    /// F&O's weak ETag: base64 of `'<version>,<RecId>'`.
    static func etag(row: Int, version: Int) -> String {
        let recordID = 5_637_144_576 + row
        return "W/\"" + Data("'\(version),\(recordID)'".utf8).base64EncodedString() + "\""
    }
}
