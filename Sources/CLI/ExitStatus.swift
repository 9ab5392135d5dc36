import ArgumentParser
import ProcessExit

extension ExitStatus {
    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// The version `--version` prints.
public enum D365MMVersion {
    public static let current = "0.1.0"
}
