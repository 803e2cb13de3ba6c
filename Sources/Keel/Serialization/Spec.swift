import Foundation

/// A spec as the CLI and config files write image operations, augmentations, schedules and activations:
/// `name`, `name:key=value,key=value` (list values separated by '/') or `name:value` (one unnamed parameter,
/// as in `leaky_relu:0.2`). The one parser of that syntax: each reader then checks the parameters it knows.
public struct Spec: Equatable, Sendable {
    /// The text before ':', trimmed.
    public var name: String
    /// key=value pairs in the order given (keys trimmed; with `dashesAsUnderscores`, `decay-steps` is `decay_steps`).
    public var parameters: [(key: String, value: String)]
    /// The text after ':' when it holds no '=' (`leaky_relu:0.2`), else nil.
    public var unnamedValue: String?

    /// Specs are equal when names, unnamed values and parameters (in order) are.
    public static func == (a: Spec, b: Spec) -> Bool {
        a.name == b.name && a.unnamedValue == b.unnamedValue && a.parameters.map(\.key) == b.parameters.map(\.key)
            && a.parameters.map(\.value) == b.parameters.map(\.value)
    }

    /// The parameters by key (keys are unique: `parse` refuses a key given twice).
    public var dictionary: [String: String] { Dictionary(uniqueKeysWithValues: parameters.map { ($0.key, $0.value) }) }

    /// Splits `text`; throws for an empty name, a pair without '=' and a key given twice.
    public static func parse(_ text: String, dashesAsUnderscores: Bool = false) throws(SpecError) -> Spec {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw SpecError(spec: text, problem: "the spec has no name (expected name:key=value,…)") }
        var spec = Spec(name: name, parameters: [], unnamedValue: nil)
        guard parts.count == 2, !parts[1].isEmpty else { return spec }
        guard parts[1].contains("=") else {
            spec.unnamedValue = parts[1].trimmingCharacters(in: .whitespaces)
            return spec
        }
        for pair in parts[1].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty else { throw SpecError(spec: text, problem: "expected key=value, got '\(pair)'") }
            let key = dashesAsUnderscores ? kv[0].replacingOccurrences(of: "-", with: "_") : kv[0]
            guard !spec.parameters.contains(where: { $0.key == key }) else { throw SpecError(spec: text, problem: "\(key) is given twice") }
            spec.parameters.append((key, kv[1]))
        }
        return spec
    }
}

/// A spec that does not follow `name:key=value,…`.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The spec as given.
    public var spec: String
    /// What is wrong with it.
    public var problem: String
    /// "'SPEC': PROBLEM".
    public var description: String { "'\(spec)': \(problem)" }
}
