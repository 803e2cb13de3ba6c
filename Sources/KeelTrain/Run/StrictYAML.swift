import Foundation
import Keel
import Yams

/// YAML read strictly, for config.yaml and model files: one document that is a mapping, no duplicate keys, at most
/// a given number of nodes (aliases counted each time they are used), and errors as one line with file, line and
/// key path (`RunConfigurationError`).
enum StrictYAML {
    /// Decodes `T` from YAML text, returning the composed node too (for locating later errors by key path).
    static func decode<T: Decodable>(_ type: T.Type, yaml text: String, file: String, maxNodes: Int) throws -> (T, Node) {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw RunConfigurationError(key: "", problem: "empty file", file: file)
            }
            node = composed
        } catch let error as RunConfigurationError {
            throw error
        } catch {
            throw syntaxError(error, file: file)
        }
        var budget = maxNodes
        try checkStructure(node, path: [], file: file, maxNodes: maxNodes, budget: &budget)
        do {
            return (try YAMLDecoder().decode(T.self, from: node), node)
        } catch let error as DecodingError {
            let path = codingPath(of: error)
            throw RunConfigurationError(
                key: path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."),
                problem: problem(error), file: file, line: line(of: path, in: node))
        }
    }

    /// `value` as YAML, numbers in their shortest exact form.
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoded = try YAMLEncoder().encode(value)
        guard let node = try Yams.compose(yaml: encoded) else { return encoded }
        return try Yams.serialize(node: flowStyleLeaves(shortestNumbers(node)), sortKeys: false)
    }

    /// Writes lists of plain values on one line (`input: [3, 32, 32]`), and so the arguments of a list item's one
    /// key (`- conv2d: {in: 3, out: 16, kernel: 3}`): a model file reads as one line a layer.
    static func flowStyleLeaves(_ node: Node, inListItem: Bool = false) -> Node {
        func isLeaf(_ node: Node) -> Bool {
            switch node {
            case .scalar: true
            case .sequence(let items): items.allSatisfy { $0.scalar != nil }
            default: false
            }
        }
        switch node {
        case .sequence(let items):
            let style: Node.Sequence.Style = items.allSatisfy({ $0.scalar != nil }) && !items.isEmpty ? .flow : items.style
            return .sequence(.init(items.map { flowStyleLeaves($0, inListItem: true) }, items.tag, style))
        case .mapping(let pairs):
            let flat = inListItem && pairs.count == 1
            let mapped = pairs.map { key, value -> (Node, Node) in
                if flat, let inner = value.mapping, !inner.isEmpty, inner.allSatisfy({ isLeaf($0.value) }) {
                    return (key, .mapping(.init(inner.map { ($0.key, flowStyleLeaves($0.value)) }, inner.tag, .flow)))
                }
                return (key, flowStyleLeaves(value))
            }
            return .mapping(.init(mapped, pairs.tag, pairs.style))
        case .scalar, .alias:
            return node
        }
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
    static func checkStructure(_ node: Node, path: [String], file: String, maxNodes: Int, budget: inout Int) throws {
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
                try checkStructure(value, path: path + [name], file: file, maxNodes: maxNodes, budget: &budget)
            }
        case .sequence(let sequence):
            for (i, element) in sequence.enumerated() {
                try checkStructure(element, path: path + ["\(i)"], file: file, maxNodes: maxNodes, budget: &budget)
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
        case .typeMismatch(let type, _): return "expected \(typeName(type))"
        case .valueNotFound(let type, _): return "missing \(typeName(type)) value"
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
