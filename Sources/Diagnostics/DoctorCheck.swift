import ProcessExit

/// One live check of `d365mm doctor`: what was checked, whether it passed, and, when not, the fix in the seed's words.
public struct DoctorCheck: Sendable {
    /// How serious a failure is: it decides the exit status (configuration, then permission, then temporary, then other).
    public enum Severity: Int, Sendable, Comparable {
        case other, temporary, permission, configuration

        public static func < (left: Self, right: Self) -> Bool { left.rawValue < right.rawValue }

        var exitStatus: ExitStatus {
            switch self {
            case .other: return .internalError
            case .temporary: return .temporaryFailure
            case .permission: return .permissionDenied
            case .configuration: return .configuration
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
    public static func exitStatus(of checks: [DoctorCheck]) -> ExitStatus {
        checks.filter { !$0.passed }.map(\.severity).max()?.exitStatus ?? .success
    }
}
