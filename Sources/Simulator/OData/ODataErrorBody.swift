/// F&O's error answers: `{"error": {"code": "", "message": "…", "innererror": {"message": "…", "type": "…"}}}`.
enum ODataErrorBody {
    static func response(_ status: Int, message: String, innerMessage: String? = nil, innerType: String? = nil) -> SimulatedResponse {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.beginObject()
        writer.key("code")
        writer.string("")
        writer.key("message")
        writer.string(message)
        if let innerMessage {
            writer.key("innererror")
            writer.beginObject()
            writer.key("message")
            writer.string(innerMessage)
            writer.key("type")
            writer.string(innerType ?? "")
            writer.key("stacktrace")
            writer.string("")
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
        return .odata(status, writer.bytes)
    }

    /// A query F&O refuses (400).
    static func badQuery(_ error: ODataQueryError) -> SimulatedResponse {
        response(
            400, message: "The query specified in the URI is not valid. \(error.message)",
            innerMessage: error.message, innerType: "Microsoft.OData.ODataException")
    }

    /// A write that fails F&O's validation: HTTP 500 with `AxODataWriteException` and the Infolog text.
    static func writeFailed(entity: EntityDefinition, infolog: [String]) -> SimulatedResponse {
        let text = "Write failed for table row of type '\(entity.aotName)'. Infolog: " + infolog.map { "Error: \($0)" }.joined(separator: "; ") + "."
        return response(
            500, message: "An error has occurred.", innerMessage: text,
            innerType: "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException")
    }

    /// No such resource (404).
    static func notFound(_ uri: String) -> SimulatedResponse {
        response(404, message: "No HTTP resource was found that matches the request URI '\(uri)'.")
    }

    /// A missing Data Services privilege (403).
    static func forbidden(entity: EntityDefinition, privilege: String, write: Bool) -> SimulatedResponse {
        let verb = write ? "write to" : "read"
        return response(
            403,
            message:
                "Access denied: the user does not have the privilege '\(privilege)' to \(verb) the entity '\(entity.setName)' (\(entity.aotName)).")
    }
}
