import ConnectorConfiguration
import Foundation

/// Moves the secrets written in a configuration file into systemd credentials, so that they leave the unit's
/// environment (`systemctl show`, `/proc/PID/environ`, a copied configuration): each into a file of a root-only
/// directory, sealed by `systemd-creds encrypt` where it can be; the file then says where each went and names the
/// directory in `D365MM_CREDENTIALS_DIR`, from which `d365mm systemd-units` renders the `LoadCredential=` lines.
public struct SecretMove {
    /// A secret that moved.
    public struct Moved: Sendable, Equatable {
        public let variable: String
        /// The configuration file's line it was on.
        public let line: Int
        /// Where it is now, as the units name it.
        public let path: String
    }

    /// Why nothing moved; the configuration file is as it was.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public enum Kind: Sendable { case configuration, permission, other }
        public let kind: Kind
        public let description: String
    }

    /// The configuration file, as the units name it.
    public let configurationFile: String
    /// A staging root the paths are under (`DESTDIR`), or `""`.
    public let root: String
    /// Seal the secrets with `systemd-creds encrypt`, or write them as root-only files.
    public let seal: Bool

    public init(configurationFile: String, root: String = "", seal: Bool) {
        self.configurationFile = configurationFile
        self.root = root
        self.seal = seal
    }

    /// Where the credentials of `configurationFile` go unless its `D365MM_CREDENTIALS_DIR` or the caller says:
    /// `/etc/d365mm/d365mm.conf` → `/etc/d365mm/credentials/d365mm`.
    public static func defaultDirectory(for configurationFile: String) -> String {
        let url = URL(fileURLWithPath: configurationFile)
        return url.deletingLastPathComponent().appendingPathComponent("credentials").appendingPathComponent(
            url.deletingPathExtension().lastPathComponent
        ).path
    }

    /// Moves every secret set in the file itself into `directory` (or the file's `D365MM_CREDENTIALS_DIR`, or the
    /// default), replacing what is there under the same name; secrets set elsewhere (the environment, `<NAME>_FILE`)
    /// stay where they are.
    public func run(into directory: String?, now: Date = Date()) throws(Failure) -> (directory: String, moved: [Moved]) {
        let file = root + configurationFile
        guard let data = FileManager.default.contents(atPath: file), let text = String(validating: data, as: UTF8.self) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot be read as UTF-8 text by this user" : "does not exist"
            throw Failure(kind: .configuration, description: "the configuration file \(file) \(reason)")
        }
        let source = ConfigurationSource(environment: [:], filePath: file)
        let directory =
            directory ?? source.values[Setting.credentialsDirectory.name]?.value ?? Self.defaultDirectory(for: configurationFile)
        let secrets = ConfigurationVariable.all.filter(\.fromFile).compactMap { variable -> (ConfigurationVariable, String, Int)? in
            guard let entry = source.values[variable.name], case .file(_, let line) = entry.origin else { return nil }
            return (variable, entry.value, line)
        }
        guard !secrets.isEmpty else { return (directory, []) }

        try makeDirectory(root + directory)
        var edit = ConfigurationFileEdit(text)
        var moved: [Moved] = []
        let day = ISO8601DateFormatter.string(from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        for (variable, value, line) in secrets {
            let path = "\(directory)/\(variable.name)" + (seal ? ".cred" : "")
            try store(value, name: variable.name, at: root + path)
            // One credential per secret: the other form, left from before, would be read as a second place.
            let other = "\(root)\(directory)/\(variable.name)" + (seal ? "" : ".cred")
            if FileManager.default.fileExists(atPath: other) { try? FileManager.default.removeItem(atPath: other) }
            edit.replaceAssignments(
                of: variable.spellings, with: "\(variable.name) moved to the systemd credential \(path) (d365mm config move-secrets, \(day))")
            moved.append(Moved(variable: variable.name, line: line, path: path))
        }
        edit.set(Setting.credentialsDirectory.name, to: directory)
        try replaceFile(file, with: edit.text)
        return (directory, moved)
    }

    /// Makes `path` and the folders above it that are missing, root-only: systemd hands the credentials to the
    /// service itself.
    private func makeDirectory(_ path: String) throws(Failure) {
        var made = ""
        for component in path.split(separator: "/") {
            made += "/\(component)"
            guard mkdir(made, 0o700) == 0 || errno == EEXIST else { throw Self.failure("\(made) cannot be made") }
        }
        guard chmod(path, 0o700) == 0 else { throw Self.failure("\(path) cannot be made root-only (chmod 700)") }
    }

    /// What `errno` says went wrong doing `what`.
    private static func failure(_ what: String) -> Failure {
        Failure(
            kind: errno == EACCES || errno == EPERM || errno == EROFS ? .permission : .other,
            description: "\(what): \(String(cString: strerror(errno)))")
    }

    private func store(_ secret: String, name: String, at path: String) throws(Failure) {
        if seal {
            do {
                try SystemdCredentials.encrypt(secret, name: name, to: path)
            } catch {
                throw Failure(
                    kind: .other, description: "\(name) cannot be sealed into \(path): \(error); keep the secrets as root-only files with --plain")
            }
        } else {
            try writeFile(path, Data(secret.utf8), mode: 0o600, like: nil)
        }
    }

    /// Replaces `path` at once with `text`, keeping its owner and mode.
    private func replaceFile(_ path: String, with text: String) throws(Failure) {
        var original = stat()
        try writeFile(path, Data(text.utf8), mode: stat(path, &original) == 0 ? original.st_mode & 0o7777 : 0o600, like: original)
    }

    private func writeFile(_ path: String, _ data: Data, mode: mode_t, like original: stat?) throws(Failure) {
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Self.failure("\(temporary) cannot be written") }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if let original { _ = fchown(descriptor, original.st_uid, original.st_gid) }
        let complete = written == data.count && fchmod(descriptor, mode) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard complete, rename(temporary, path) == 0 else {
            let failure = Self.failure("\(path) cannot be written")
            unlink(temporary)
            throw failure
        }
    }
}
