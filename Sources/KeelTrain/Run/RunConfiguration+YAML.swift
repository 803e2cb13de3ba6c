import Foundation
import Keel
import Yams

/// `config.yaml`: a run configuration as YAML (through Yams), numbers written in their shortest exact form.
extension RunConfiguration {
    /// The configuration's file name in a run folder.
    public static let fileName = "config.yaml"
    /// The largest config file read (1 MiB) and the most YAML nodes it may hold.
    static let maxFileBytes = 1 << 20
    static let maxNodes = 10_000

    /// The configuration as YAML, with a header comment.
    public func yaml() throws -> String {
        let body = try StrictYAML.encode(self)
        return "# A keel training run: `keel train --config FILE` runs it again (flags given with it override its fields).\n" + body
    }

    /// Writes `config.yaml` into `directory`, atomically.
    public func write(to directory: URL) throws {
        try AtomicFile.write(Data(yaml().utf8), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Reads and validates a YAML configuration. Unknown keys, duplicate keys, wrong types and values out of
    /// range are one-line `RunConfigurationError`s naming the key and, where the parser gives it, the line.
    public static func read(yaml url: URL) throws -> RunConfiguration {
        let text: String
        do { text = try InputFile.text(url, maxBytes: maxFileBytes) } catch let error as FileError {
            throw RunConfigurationError(key: "", problem: error.problem, file: error.path)
        }
        return try decode(yaml: text, file: url.path)
    }

    /// Parses YAML text (`file` names it in errors).
    public static func decode(yaml text: String, file: String = Self.fileName) throws -> RunConfiguration {
        let (configuration, node) = try StrictYAML.decode(RunConfiguration.self, yaml: text, file: file, maxNodes: maxNodes)
        do { try configuration.validate() } catch {
            var located = error
            (located.file, located.line) = (file, StrictYAML.line(of: error.key.split(separator: ".").map(String.init), in: node))
            throw located
        }
        return configuration
    }
}
