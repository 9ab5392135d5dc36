/// The CSDL document at `/data/$metadata`: entity types, keys, enumerations, entity sets and the posting action.
enum MetadataDocument {
    static func xml(postingAction: String?) -> String {
        var lines = [
            #"<?xml version="1.0" encoding="utf-8"?>"#,
            #"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">"#,
            "<edmx:DataServices>",
            #"<Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">"#,
        ]
        for entity in Entities.all {
            lines.append(#"<EntityType Name="\#(entity.typeName)">"#)
            lines.append("<Key>" + entity.keys.map { #"<PropertyRef Name="\#($0)" />"# }.joined() + "</Key>")
            for field in entity.fields {
                let nullable = entity.keys.contains(field.name) ? #" Nullable="false""# : ""
                let facets = field.type == .decimal ? #" Precision="32" Scale="6""# : ""
                lines.append(#"<Property Name="\#(field.name)" Type="\#(field.type.edmName)"\#(nullable)\#(facets) />"#)
            }
            lines.append("</EntityType>")
        }
        for enumType in EnumTypes.all {
            lines.append(#"<EnumType Name="\#(enumType.name)">"#)
            for member in enumType.members { lines.append(#"<Member Name="\#(member.name)" Value="\#(member.value)" />"#) }
            lines.append("</EnumType>")
        }
        if let postingAction {
            for entity in [Entities.routeCardJournalEntries, Entities.jobCardJournalEntries] {
                lines.append(#"<Action Name="\#(postingAction)" IsBound="true">"#)
                lines.append(#"<Parameter Name="_bindingParameter" Type="Collection(Microsoft.Dynamics.DataEntities.\#(entity.typeName))" />"#)
                lines.append(#"<Parameter Name="dataAreaId" Type="Edm.String" />"#)
                lines.append(#"<Parameter Name="JournalNumber" Type="Edm.String" />"#)
                lines.append("</Action>")
            }
        }
        lines.append(#"<EntityContainer Name="Resources">"#)
        for entity in Entities.all {
            lines.append(#"<EntitySet Name="\#(entity.setName)" EntityType="Microsoft.Dynamics.DataEntities.\#(entity.typeName)" />"#)
        }
        lines.append("</EntityContainer>")
        lines += ["</Schema>", "</edmx:DataServices>", "</edmx:Edmx>"]
        return lines.joined(separator: "\n")
    }
}
