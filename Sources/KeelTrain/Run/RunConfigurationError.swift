/// A run configuration that cannot run: the setting's key path ("optimizer.learning_rate"), what is wrong with
/// it, and where it was read (a config file and line) when it came from one.
public struct RunConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Dotted key path of the setting, as in config.yaml.
    public var key: String
    /// What is wrong with the value.
    public var problem: String
    /// The file it was read from, and its 1-based line where the parser gives one.
    public var file: String?
    /// The 1-based line in `file`, where known.
    public var line: Int?

    /// An error about the setting at `key`.
    public init(key: String, problem: String, file: String? = nil, line: Int? = nil) {
        (self.key, self.problem, self.file, self.line) = (key, problem, file, line)
    }

    /// "FILE:LINE: key.path: problem" (the parts that are known).
    public var description: String {
        let place = file.map { path in line.map { "\(path):\($0): " } ?? "\(path): " } ?? ""
        return key.isEmpty ? "\(place)\(problem)" : "\(place)\(key): \(problem)"
    }
}
