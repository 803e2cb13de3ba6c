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
        let encoded = try YAMLEncoder().encode(self)
        guard let node = try Yams.compose(yaml: encoded) else { return encoded }
        let body = try Yams.serialize(node: Self.shortestNumbers(node), sortKeys: false)
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
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw RunConfigurationError(key: "", problem: "empty configuration", file: file)
            }
            node = composed
        } catch let error as RunConfigurationError {
            throw error
        } catch {
            throw Self.syntaxError(error, file: file)
        }
        var budget = maxNodes
        try checkStructure(node, path: [], file: file, budget: &budget)
        let configuration: RunConfiguration
        do {
            configuration = try YAMLDecoder().decode(RunConfiguration.self, from: node)
        } catch let error as DecodingError {
            let path = Self.codingPath(of: error)
            throw RunConfigurationError(
                key: path.map(\.stringValue).joined(separator: "."),
                problem: Self.problem(error), file: file, line: Self.line(of: path, in: node))
        }
        do { try configuration.validate() } catch {
            var located = error
            (located.file, located.line) = (file, Self.line(of: error.key.split(separator: ".").map(String.init), in: node))
            throw located
        }
        return configuration
    }

    /// A YAML syntax error as "FILE:LINE: not YAML: what the parser says" (its first line, without the text it quotes).
    static func syntaxError(_ error: any Error, file: String) -> RunConfigurationError {
        let first = "\(error)".split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "\(error)"
        let parts = first.split(separator: ":", maxSplits: 3).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 4, let line = Int(parts[0]), Int(parts[1]) != nil {
            var problem = parts[3].hasPrefix("error:") ? String(parts[3].dropFirst(6)).trimmingCharacters(in: .whitespaces) : parts[3]
            while problem.hasSuffix(":") { problem.removeLast() }
            return RunConfigurationError(key: "", problem: "not YAML: \(FileError.oneLine(problem))", file: file, line: line)
        }
        return RunConfigurationError(key: "", problem: "not YAML: \(FileError.oneLine(String(first.prefix(200))))", file: file)
    }

    /// Refuses what the decoder would accept silently or pay for dearly: a document that is not a mapping,
    /// duplicate keys, non-string keys, and more than `maxNodes` nodes (aliases counted each time they are used).
    static func checkStructure(_ node: Node, path: [String], file: String, budget: inout Int) throws {
        budget -= 1
        guard budget >= 0 else {
            throw RunConfigurationError(key: "", problem: "more than \(maxNodes) YAML nodes", file: file)
        }
        switch node {
        case .mapping(let mapping):
            var seen = Set<String>()
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw RunConfigurationError(
                        key: path.joined(separator: "."), problem: "keys must be names",
                        file: file, line: key.mark.map { $0.line })
                }
                guard seen.insert(name).inserted else {
                    throw RunConfigurationError(
                        key: (path + [name]).joined(separator: "."), problem: "appears twice",
                        file: file, line: key.mark.map { $0.line })
                }
                try checkStructure(value, path: path + [name], file: file, budget: &budget)
            }
        case .sequence(let sequence):
            for (i, element) in sequence.enumerated() {
                try checkStructure(element, path: path + ["\(i)"], file: file, budget: &budget)
            }
        case .scalar, .alias:
            break
        }
        if path.isEmpty, node.mapping == nil {
            throw RunConfigurationError(
                key: "", problem: "expected a mapping of settings (key: value lines)", file: file,
                line: node.mark.map { $0.line })
        }
    }

    /// The line of the value at `path` (keys, or indices into sequences), or of its nearest parent found.
    static func line(of path: [any CodingKey], in node: Node) -> Int? {
        line(of: path.map { $0.intValue.map(String.init) ?? $0.stringValue }, in: node)
    }

    static func line(of path: [String], in root: Node) -> Int? {
        var node = root
        var line = root.mark?.line
        for component in path {
            if let mapping = node.mapping, let pair = mapping.first(where: { $0.key.string == component }) {
                node = pair.value
                line = pair.key.mark?.line ?? line
            } else if let sequence = node.sequence, let i = Int(component), sequence.indices.contains(i) {
                node = sequence[i]
                line = node.mark?.line ?? line
            } else {
                break
            }
        }
        return line
    }

    static func codingPath(of error: DecodingError) -> [any CodingKey] {
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return c.codingPath
        case .keyNotFound(let key, let c): return c.codingPath + [key]
        @unknown default: return []
        }
    }

    /// What a decoding error says, without its key path (the caller names the key).
    static func problem(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "expected \(Self.typeName(type))"
        case .valueNotFound(let type, _): return "missing \(Self.typeName(type)) value"
        case .keyNotFound: return "missing (required)"
        case .dataCorrupted(let c):
            return FileError.oneLine(c.debugDescription.isEmpty ? "invalid value" : c.debugDescription)
        @unknown default: return FileError.oneLine("\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is UInt64.Type: "an integer in 0…2⁶⁴−1"
        case is Float.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)".contains("Scalar") ? "a single value, not a list or a mapping" : "\(type)"
        }
    }

    /// Rewrites number scalars in their shortest exact form. Yams writes numbers with 15 significant digits, so a
    /// `Float` setting arrives as 5.00000007450581e-2: a value within 10⁻¹³ of a `Float` is written as that
    /// `Float`'s shortest form (0.05), which reads back to the same bits; any other as `Double.description`.
    static func shortestNumbers(_ node: Node) -> Node {
        switch node {
        case .scalar(let scalar):
            // Integers (seeds up to 2⁶⁴−1 among them) stay as they are.
            guard scalar.string.contains(where: { ".eE".contains($0) }), let value = Double(scalar.string), value.isFinite else {
                return node
            }
            let single = Float(value)
            let isSingle = abs(Double(single) - value) <= 1e-13 * abs(value)
            let text = isSingle ? single.description : value.description
            return .scalar(.init(text, scalar.tag, scalar.style))
        case .mapping(let mapping):
            return .mapping(.init(mapping.map { ($0.key, shortestNumbers($0.value)) }, mapping.tag, mapping.style))
        case .sequence(let sequence):
            return .sequence(.init(sequence.map(shortestNumbers), sequence.tag, sequence.style))
        case .alias:
            return node
        }
    }
}
