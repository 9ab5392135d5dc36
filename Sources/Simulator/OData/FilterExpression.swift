/// A parsed `$filter`, in the subset F&O supports.
indirect enum FilterExpression: Equatable {
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    case comparison(FilterOperand, ComparisonOperator, FilterOperand)
}

enum FilterOperand: Equatable {
    case field(String)
    case literal(FilterLiteral)
}

enum FilterLiteral: Equatable {
    case string(String)
    /// A number, kept as its text so that decimals stay exact.
    case number(String)
    case boolean(Bool)
    case null
    /// Seconds since the epoch, and the literal's text for messages.
    case dateTime(Int64, String)
    /// `Microsoft.Dynamics.DataEntities.ProdStatus'Released'`: the qualified type name and the member.
    case enumMember(type: String, member: String)

    /// The EDM type name OData shows in its type errors.
    var edmName: String {
        switch self {
        case .string: return "Edm.String"
        case .number(let text): return text.contains(".") || text.contains("e") || text.contains("E") ? "Edm.Decimal" : "Edm.Int32"
        case .boolean: return "Edm.Boolean"
        case .null: return "null"
        case .dateTime: return "Edm.DateTimeOffset"
        case .enumMember(let type, _): return type
        }
    }
}

enum ComparisonOperator: String, Equatable {
    case eq, ne, gt, ge, lt, le

    /// The operator as OData's messages name it.
    var kindName: String {
        switch self {
        case .eq: return "Equal"
        case .ne: return "NotEqual"
        case .gt: return "GreaterThan"
        case .ge: return "GreaterThanOrEqual"
        case .lt: return "LessThan"
        case .le: return "LessThanOrEqual"
        }
    }

    /// The operator that gives the same answer with its operands swapped.
    var swapped: ComparisonOperator {
        switch self {
        case .eq, .ne: return self
        case .gt: return .lt
        case .ge: return .le
        case .lt: return .gt
        case .le: return .ge
        }
    }
}

/// A query F&O would refuse, with the message its error body carries.
struct ODataQueryError: Error, Equatable {
    let message: String
}
