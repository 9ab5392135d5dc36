import Archive

/// What a support bundle holds, unpacked: what a support engineer would read in it.
public enum SupportBundleText {
    /// Every file of the bundle `d365mm bundle` reported writing in `result`, each headed by its name.
    public static func of(_ result: CommandResult) throws -> String {
        let prefix = "support bundle written: "
        guard let line = result.standardOutput.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            throw HarnessError("bundle wrote no bundle: \(result.standardError)")
        }
        let reader = try TarGzReader(path: String(line.dropFirst(prefix.count)))
        var text = ""
        while let entry = try reader.nextEntry() {
            text += "== \(entry.name)\n" + String(decoding: try reader.readContents(), as: UTF8.self) + "\n"
        }
        return text
    }
}
