/// An F&O enumeration type, such as `ProdStatus`, with its members in value order.
public struct EnumType: Sendable, Equatable {
    public let name: String
    /// Member names with their integer values, as `$metadata` lists them.
    public let members: [(name: String, value: Int)]

    public static func == (lhs: EnumType, rhs: EnumType) -> Bool { lhs.name == rhs.name }

    /// The fully qualified name used in `$filter` literals.
    public var qualifiedName: String { "Microsoft.Dynamics.DataEntities.\(name)" }

    /// The position of `member` in ``members``, compared case-sensitively as F&O does.
    public func index(of member: String) -> Int? { members.firstIndex { $0.name == member } }
}

/// The EDM type of a data entity field.
public enum FieldType: Sendable, Equatable {
    case string
    case int32
    case int64
    case decimal
    case dateTime
    /// A date without a time (an F&O `date` field), which OData shows as `Edm.DateTimeOffset` at 12:00:00Z.
    case date
    case enumeration(EnumType)

    /// The type's name in `$metadata` and in OData error messages.
    public var edmName: String {
        switch self {
        case .string: return "Edm.String"
        case .int32: return "Edm.Int32"
        case .int64: return "Edm.Int64"
        case .decimal: return "Edm.Decimal"
        case .dateTime, .date: return "Edm.DateTimeOffset"
        case .enumeration(let type): return type.qualifiedName
        }
    }
}

/// One property of a data entity.
public struct FieldDefinition: Sendable {
    public let name: String
    public let type: FieldType
}

/// A public F&O data entity: its entity set, fields, keys and the privileges that guard it.
public struct EntityDefinition: Sendable {
    /// The public collection name, e.g. `ProductionOrderHeaders`.
    public let setName: String
    /// The entity type's name in `$metadata`, e.g. `ProductionOrderHeader`.
    public let typeName: String
    /// The AOT name, which appears in Infolog messages.
    public let aotName: String
    public let fields: [FieldDefinition]
    public let keys: [String]
    /// The Data Services privilege that grants reading.
    public let viewPrivilege: String
    /// The privilege that grants creating lines; `nil` for entities the connector never writes.
    public let maintainPrivilege: String?

    private let positions: [String: Int]

    init(
        setName: String, typeName: String, aotName: String, keys: [String], viewPrivilege: String, maintainPrivilege: String? = nil,
        fields: [(String, FieldType)]
    ) {
        self.setName = setName
        self.typeName = typeName
        self.aotName = aotName
        self.keys = keys
        self.viewPrivilege = viewPrivilege
        self.maintainPrivilege = maintainPrivilege
        self.fields = fields.map { FieldDefinition(name: $0.0, type: $0.1) }
        var positions: [String: Int] = [:]
        for (index, field) in fields.enumerated() { positions[field.0] = index }
        self.positions = positions
        precondition(keys.allSatisfy { positions[$0] != nil }, "key of \(setName) is not a field")
    }

    /// The position of the field named `name` (case-sensitive, as OData property names are).
    public func index(of name: String) -> Int? { positions[name] }

    /// Whether rows belong to a legal entity (`dataAreaId`), and so are subject to company visibility.
    public var isCompanySpecific: Bool { positions["dataAreaId"] != nil }

    /// Positions of the key fields, in key order.
    public var keyIndexes: [Int] { keys.map { positions[$0]! } }
}
