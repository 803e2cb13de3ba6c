import Keel

/// One layer of a model file: its kind and arguments (`conv2d: {in: 3, out: 16, kernel: 3, padding: 1}`), an
/// activation (`relu`, `leaky_relu:0.1`), or a residual block with its own lists of layers.
public struct LayerSpec: Equatable, Sendable {
    /// What layer this is.
    public var kind: LayerKind
    /// The arguments given (absent ones take `LayerKind`'s defaults).
    public var arguments: [String: LayerArgument]
    /// For `.activation`: the activation's spec (`relu`, `leaky_relu:0.1`).
    public var activation: String?
    /// For `.residual`: the layers of the body.
    public var body: [LayerSpec]
    /// For `.residual`: the layers of the shortcut (nil: the identity).
    public var shortcut: [LayerSpec]?

    /// A layer of `kind` with `arguments`.
    public init(_ kind: LayerKind, _ arguments: [String: LayerArgument] = [:]) {
        (self.kind, self.arguments, activation, body, shortcut) = (kind, arguments, nil, [], nil)
    }

    /// An activation layer (`spec` as `Activation.parse` reads it).
    public static func activation(_ spec: String) -> LayerSpec {
        var layer = LayerSpec(.activation)
        layer.activation = spec
        return layer
    }

    /// A residual block: body(x) + shortcut(x), the shortcut being the identity when nil.
    public static func residual(body: [LayerSpec], shortcut: [LayerSpec]?) -> LayerSpec {
        var layer = LayerSpec(.residual)
        (layer.body, layer.shortcut) = (body, shortcut)
        return layer
    }

    /// The argument `key` as given, or its default (nil for an optional one left out).
    func value(_ key: String) -> LayerArgument? {
        if let given = arguments[key] { return given }
        guard let entry = kind.arguments.first(where: { $0.key == key }), case .defaultValue(let value) = entry.requirement else { return nil }
        return value
    }

    /// A whole-number argument (validated by `ModelFile.check`).
    func int(_ key: String) -> Int {
        if case .int(let n) = value(key) { return n }
        return 0
    }

    /// A number argument.
    func number(_ key: String) -> Double {
        switch value(key) {
        case .int(let n): Double(n)
        case .number(let x): x
        default: 0
        }
    }

    /// A true/false argument.
    func bool(_ key: String) -> Bool {
        if case .bool(let flag) = value(key) { return flag }
        return false
    }

    /// A size for both axes or [height, width] (nil when absent and optional, or `same`).
    func pair(_ key: String) -> (Int, Int)? {
        switch value(key) {
        case .int(let n): (n, n)
        case .ints(let list) where list.count == 2: (list[0], list[1])
        default: nil
        }
    }
}

extension LayerSpec: Codable {
    /// Reads `name`, `activation-spec` or a one-key mapping `name: {arguments}`; unknown layers, unknown or missing
    /// arguments and values of the wrong type are errors at their key.
    public init(from decoder: any Decoder) throws {
        let path = decoder.codingPath
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            if let kind = LayerKind(rawValue: text), kind != .activation, kind != .residual {
                guard !kind.arguments.contains(where: { if case .required = $0.requirement { true } else { false } }) else {
                    throw Self.problem(path, "\(text) needs arguments: write `\(text): {\(kind.requiredKeys)}`")
                }
                self.init(kind)
                return
            }
            do { _ = try Activation.parse(text) } catch {
                throw Self.problem(
                    path,
                    "unknown layer '\(text)' (layers: \(LayerKind.named.map(\.rawValue).joined(separator: ", ")); or an activation such as relu, gelu, leaky_relu:0.1)"
                )
            }
            self = .activation(text)
            return
        }
        let c: KeyedDecodingContainer<AnyCodingKey>
        do { c = try decoder.container(keyedBy: AnyCodingKey.self) } catch {
            throw Self.problem(path, "a layer is a name (relu, flatten) or one `name: {arguments}` mapping")
        }
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw Self.problem(
                path,
                "a layer is one `name: {arguments}` mapping, got \(c.allKeys.count) keys (\(c.allKeys.map(\.stringValue).joined(separator: ", ")))")
        }
        guard let kind = LayerKind(rawValue: key.stringValue), kind != .activation else {
            throw Self.problem(path + [key], "unknown layer (layers: \(LayerKind.named.map(\.rawValue).joined(separator: ", ")))")
        }
        if kind == .residual {
            let block = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key)
            if let unknown = block.allKeys.first(where: { !["body", "shortcut"].contains($0.stringValue) }) {
                throw Self.problem(path + [key, unknown], "unknown key (known here: body, shortcut)")
            }
            let body = try block.decode([LayerSpec].self, forKey: AnyCodingKey(stringValue: "body"))
            guard !body.isEmpty else { throw Self.problem(path + [key, AnyCodingKey(stringValue: "body")], "needs at least one layer") }
            let shortcut = try block.decodeIfPresent([LayerSpec].self, forKey: AnyCodingKey(stringValue: "shortcut"))
            self = .residual(body: body, shortcut: shortcut)
            return
        }
        let arguments = try c.decodeNil(forKey: key) ? [:] : try c.decode([String: LayerArgument].self, forKey: key)
        for (name, value) in arguments {
            guard let entry = kind.arguments.first(where: { $0.key == name }) else {
                let known =
                    kind.arguments.isEmpty
                    ? "\(kind.rawValue) takes no arguments" : "known here: \(kind.arguments.map(\.key).joined(separator: ", "))"
                throw Self.problem(path + [key, AnyCodingKey(stringValue: name)], "unknown argument (\(known))")
            }
            guard entry.type.accepts(value, limit: ModelFile.maxSize) else {
                throw Self.problem(path + [key, AnyCodingKey(stringValue: name)], "expected \(entry.type.expected) (at most \(ModelFile.maxSize))")
            }
        }
        for entry in kind.arguments where arguments[entry.key] == nil {
            if case .required = entry.requirement { throw Self.problem(path + [key, AnyCodingKey(stringValue: entry.key)], "missing (required)") }
        }
        self.init(kind, arguments)
    }

    /// Writes an activation or an argument-free layer as its name, anything else as `name: {arguments}` (in
    /// `LayerKind` order, defaults left out).
    public func encode(to encoder: any Encoder) throws {
        if kind == .activation, let activation {
            var c = encoder.singleValueContainer()
            try c.encode(activation)
            return
        }
        let given = kind.arguments.filter { entry in
            guard let value = arguments[entry.key] else { return false }
            if case .defaultValue(let fallback) = entry.requirement { return value != fallback }
            return true
        }
        if kind != .residual && given.isEmpty {
            var c = encoder.singleValueContainer()
            try c.encode(kind.rawValue)
            return
        }
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        var inner = c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey(stringValue: kind.rawValue))
        if kind == .residual {
            try inner.encode(body, forKey: AnyCodingKey(stringValue: "body"))
            try inner.encodeIfPresent(shortcut, forKey: AnyCodingKey(stringValue: "shortcut"))
        }
        for entry in given { try inner.encode(arguments[entry.key]!, forKey: AnyCodingKey(stringValue: entry.key)) }
    }

    static func problem(_ path: [any CodingKey], _ text: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: text))
    }
}

extension LayerKind {
    /// "in: …, out: …" — the required arguments, for messages.
    var requiredKeys: String {
        arguments.filter { if case .required = $0.requirement { true } else { false } }.map { "\($0.key): …" }.joined(separator: ", ")
    }
}
