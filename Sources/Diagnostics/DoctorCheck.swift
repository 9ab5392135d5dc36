/// One live check of `d365mm doctor`: what was checked, whether it passed, and, when not, the fix in the seed's words.
public struct DoctorCheck: Sendable {
    /// How serious a failure is: it decides the exit status (configuration, then permission, then temporary, then other).
    public enum Severity: Int, Sendable, Comparable {
        case other = 1
        case temporary = 75
        case permission = 77
        case configuration = 78

        public static func < (left: Self, right: Self) -> Bool { left.rank < right.rank }

        private var rank: Int {
            switch self {
            case .other: return 0
            case .temporary: return 1
            case .permission: return 2
            case .configuration: return 3
            }
        }
    }

    public let name: String
    public let passed: Bool
    /// A check that passed, but with something to act on soon (a certificate about to expire).
    public let warning: Bool
    /// What was found.
    public let detail: String
    /// What to do, when it failed.
    public let fix: String?
    public let severity: Severity

    public static func pass(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, passed: true, warning: false, detail: detail, fix: nil, severity: .other)
    }

    /// Passed, and due for attention: it does not change the exit status.
    public static func warn(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name: name, passed: true, warning: true, detail: detail, fix: fix, severity: .other)
    }

    public static func fail(_ name: String, _ detail: String, fix: String, severity: Severity) -> DoctorCheck {
        DoctorCheck(name: name, passed: false, warning: false, detail: detail, fix: fix, severity: severity)
    }

    /// The exit status of a set of checks: 0 when all passed, else that of the most serious failure.
    public static func exitStatus(of checks: [DoctorCheck]) -> Int32 {
        checks.filter { !$0.passed }.map(\.severity).max().map { Int32($0.rawValue) } ?? 0
    }
}
