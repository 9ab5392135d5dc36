import Foundation

/// Secrets kept as systemd credentials (systemd.exec(5), "Credentials"): a directory holding one file per secret
/// variable, named after it, or `NAME.cred` when `systemd-creds encrypt` sealed it to this machine. A service started
/// by systemd gets them decrypted in `$CREDENTIALS_DIRECTORY` (`LoadCredential=`, `LoadCredentialEncrypted=`); a
/// command run by hand, as root, reads the directory itself.
public enum SystemdCredentials {
    /// A secret's file in the directory.
    public struct Stored: Sendable, Equatable {
        public let variable: ConfigurationVariable
        public let path: String

        /// Sealed by `systemd-creds encrypt`.
        public var isEncrypted: Bool { path.hasSuffix(".cred") }

        /// The directive that has systemd load it for a service, under the variable's name.
        public var unitDirective: String {
            "\(isEncrypted ? "LoadCredentialEncrypted" : "LoadCredential")=\(variable.name):\(path)"
        }
    }

    /// The secrets' files in `directory`, looked for under a staging `root`, in the variables' order; a variable may
    /// have two (plain and sealed), which is for the caller to refuse.
    public static func stored(in directory: String, under root: String = "") -> [Stored] {
        ConfigurationVariable.all.filter(\.fromFile).flatMap { variable in
            ["\(directory)/\(variable.name)", "\(directory)/\(variable.name).cred"]
                .filter { FileManager.default.fileExists(atPath: root + $0) }
                .map { Stored(variable: variable, path: $0) }
        }
    }

    /// `systemd-creds`, when this machine has it.
    public static var tool: String? {
        ["/usr/bin/systemd-creds", "/bin/systemd-creds"].first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Why a credential could not be sealed or opened: what systemd-creds said, which never holds the secret.
    public struct ToolError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The secret sealed in `path` under `name`, as `systemd-creds decrypt` gives it.
    static func decrypt(_ path: String, name: String) throws(ToolError) -> Data {
        guard let tool else { throw ToolError(description: "systemd-creds is not installed here") }
        return try run(tool, ["decrypt", "--name=\(name)", path, "-"], input: nil)
    }

    /// Seals `secret` under `name` into `path` with `systemd-creds encrypt` (this machine's TPM2 or host key, as it
    /// chooses), mode 0600, replacing the file at once.
    public static func encrypt(_ secret: String, name: String, to path: String) throws(ToolError) {
        guard let tool else { throw ToolError(description: "systemd-creds is not installed here") }
        let temporary = path + ".new"
        _ = try run(tool, ["encrypt", "--name=\(name)", "-", temporary], input: Data(secret.utf8))
        guard chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ToolError(description: "\(path) cannot be written: \(reason)")
        }
    }

    /// Runs `tool` with the secret, if any, on its standard input (never in its arguments, which `ps` shows).
    private static func run(_ tool: String, _ arguments: [String], input: Data?) throws(ToolError) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = standardInput
        do {
            try process.run()
        } catch {
            throw ToolError(description: "\(tool) cannot be started: \(error.localizedDescription)")
        }
        if let input { standardInput.fileHandleForWriting.write(input) }
        try? standardInput.fileHandleForWriting.close()
        // systemd-creds writes little to either stream: reading one to its end before the other cannot block.
        let result = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = complaint.split(separator: "\n").map(String.init).filter { !$0.contains("not located on encrypted media") }
            throw ToolError(description: "systemd-creds \(arguments[0]) failed: \(said.last ?? "exit status \(process.terminationStatus)")")
        }
        return result
    }
}
