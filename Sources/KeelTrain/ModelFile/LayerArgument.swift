/// One argument of a layer in a model file: a whole number, a number, true/false, a name or a list of whole numbers
/// (`kernel: 3`, `eps: 1.0e-5`, `bias: false`, `padding: same`, `kernel: [3, 5]`).
public enum LayerArgument: Codable, Equatable, Sendable {
    /// A whole number.
    case int(Int)
    /// A number with a fraction or exponent.
    case number(Double)
    /// true or false.
    case bool(Bool)
    /// A name (`same`).
    case text(String)
    /// A list of whole numbers (`[3, 5]`).
    case ints([Int])

    /// Reads whichever form the value has.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let value = try? c.decode(Int.self) {
            self = .int(value)
        } else if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Double.self) {
            self = .number(value)
        } else if let value = try? c.decode([Int].self) {
            self = .ints(value)
        } else if let value = try? c.decode(String.self) {
            self = .text(value)
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a number, true/false, a name or a list of integers"))
        }
    }

    /// Writes the value in its own form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let value): try c.encode(value)
        case .number(let value): try c.encode(value)
        case .bool(let value): try c.encode(value)
        case .text(let value): try c.encode(value)
        case .ints(let value): try c.encode(value)
        }
    }
}

/// What an argument of a layer kind must be.
enum ArgumentType: Sendable {
    /// A whole number ≥ 1.
    case positive
    /// A whole number ≥ 0.
    case count
    /// A finite number.
    case number
    /// true or false.
    case bool
    /// One size for both axes or [height, width], each ≥ 1 (`size`), or ≥ 0 (`padding`).
    case pair(minimum: Int)
    /// Like `pair(minimum: 0)`, or `same`.
    case padding
    /// A list of sizes ≥ 1.
    case sizes

    /// What a value of this type looks like, for errors.
    var expected: String {
        switch self {
        case .positive: "an integer ≥ 1"
        case .count: "an integer ≥ 0"
        case .number: "a finite number"
        case .bool: "true or false"
        case .pair(let minimum): "an integer ≥ \(minimum) or [height, width]"
        case .padding: "an integer ≥ 0, [height, width] or same"
        case .sizes: "a list of integers ≥ 1"
        }
    }

    /// Whether `value` is of this type (sizes at most `limit`).
    func accepts(_ value: LayerArgument, limit: Int) -> Bool {
        switch (self, value) {
        case (.positive, .int(let n)): (1...limit).contains(n)
        case (.count, .int(let n)): (0...limit).contains(n)
        case (.number, .int): true
        case (.number, .number(let x)): x.isFinite && abs(x) <= Double(Float.greatestFiniteMagnitude)
        case (.bool, .bool): true
        case (.pair(let minimum), .int(let n)): (minimum...limit).contains(n)
        case (.padding, .int(let n)): (0...limit).contains(n)
        case (.pair(let minimum), .ints(let list)): list.count == 2 && list.allSatisfy { (minimum...limit).contains($0) }
        case (.padding, .ints(let list)): list.count == 2 && list.allSatisfy { (0...limit).contains($0) }
        case (.padding, .text(let name)): name == "same"
        case (.sizes, .ints(let list)): !list.isEmpty && list.count <= 8 && list.allSatisfy { (1...limit).contains($0) }
        default: false
        }
    }
}
