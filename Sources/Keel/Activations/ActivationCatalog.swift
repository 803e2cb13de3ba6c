/// The interval of values an activation can output.
public struct OutputRange: Equatable, Sendable, Codable, CustomStringConvertible {
    /// The lower end (−∞ when unbounded below).
    public var lower: Double
    /// The upper end (+∞ when unbounded above).
    public var upper: Double
    /// Whether the lower end is attained.
    public var includesLower: Bool
    /// Whether the upper end is attained.
    public var includesUpper: Bool

    /// An interval from `lower` to `upper`, open at both ends unless said otherwise.
    public init(_ lower: Double, _ upper: Double, includesLower: Bool = false, includesUpper: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.includesLower = includesLower && lower.isFinite
        self.includesUpper = includesUpper && upper.isFinite
    }

    /// Whether both ends are finite.
    public var isBounded: Bool { lower.isFinite && upper.isFinite }

    /// Whether `value` lies in the interval, ends widened by `tolerance`.
    public func contains(_ value: Double, tolerance: Double = 0) -> Bool {
        value >= lower - tolerance && value <= upper + tolerance
    }

    /// Interval notation: "(0, ∞)", "[−1, 1]".
    public var description: String {
        func format(_ v: Double) -> String {
            if v == .infinity { return "∞" }
            if v == -.infinity { return "−∞" }
            let text = v == v.rounded() ? "\(Int(v))" : String(describing: (v * 10_000).rounded() / 10_000)
            return text.replacingOccurrences(of: "-", with: "−")
        }
        return (includesLower ? "[" : "(") + format(lower) + ", " + format(upper) + (includesUpper ? "]" : ")")
    }
}

/// The properties that matter when choosing an activation (the classic list: non-linear, differentiable, monotonic, f(x) ≈ x near 0, bounded), as data. Each is checked by
/// the tests against the function itself.
public struct ActivationProperties: Sendable, Codable, Equatable {
    /// The activation's name ("relu").
    public var name: String
    /// The definition, in plain Unicode.
    public var formula: String
    /// The output range f(ℝ).
    public var range: OutputRange
    /// Non-decreasing everywhere.
    public var monotonic: Bool
    /// Has a derivative at every point (no kink).
    public var differentiableEverywhere: Bool
    /// Symmetric about the origin: over inputs symmetric around 0 its outputs average to about 0.
    public var zeroCentred: Bool
    /// Squashing: bounded on both sides, so f′ → 0 for large |x| in both directions (vanishing gradients).
    public var saturating: Bool
    /// f′(0) (at a kink: PyTorch's convention, the derivative its backward pass uses).
    public var derivativeAtZero: Double
    /// f(0) = 0 and f′(0) = 1: behaves like the identity near 0 (helps initialization).
    public var approximatesIdentityNearZero: Bool
    /// Non-linear (everything but the identity): stacking layers adds expressive power.
    public var nonLinear: Bool
    /// Typical use, in one line.
    public var usage: String
}

extension Activation {
    /// Properties of this activation (with its parameters).
    public var properties: ActivationProperties {
        func p(
            _ formula: String, _ range: OutputRange, monotonic: Bool, differentiable: Bool, zeroCentred: Bool = false,
            saturating: Bool = false, derivativeAtZero: Double, identityNearZero: Bool = false,
            nonLinear: Bool = true, usage: String
        ) -> ActivationProperties {
            ActivationProperties(
                name: name, formula: formula, range: range, monotonic: monotonic,
                differentiableEverywhere: differentiable, zeroCentred: zeroCentred, saturating: saturating,
                derivativeAtZero: derivativeAtZero, approximatesIdentityNearZero: identityNearZero,
                nonLinear: nonLinear, usage: usage)
        }
        let inf = Double.infinity
        switch self {
        case .identity:
            return p(
                "f(x) = x", OutputRange(-inf, inf), monotonic: true, differentiable: true, zeroCentred: true,
                derivativeAtZero: 1, identityNearZero: true, nonLinear: false,
                usage: "regression outputs; the baseline: a stack of linear layers is one linear layer")
        case .sigmoid:
            return p(
                "σ(x) = 1 / (1 + e^−x)", OutputRange(0, 1), monotonic: true, differentiable: true, saturating: true,
                derivativeAtZero: 0.25, usage: "binary-classification output (a probability); gates")
        case .tanh:
            return p(
                "tanh x = (e^x − e^−x) / (e^x + e^−x)", OutputRange(-1, 1), monotonic: true, differentiable: true,
                zeroCentred: true, saturating: true, derivativeAtZero: 1, identityNearZero: true,
                usage: "hidden layers of small and recurrent networks; zero-centred squashing")
        case .relu:
            return p(
                "f(x) = max(0, x)", OutputRange(0, inf, includesLower: true), monotonic: true, differentiable: false,
                derivativeAtZero: 0, usage: "the default for hidden layers: cheap, no saturation for x > 0")
        case .leakyReLU(let a):
            return p(
                "f(x) = x for x > 0, \(a)·x otherwise", a > 0 ? OutputRange(-inf, inf) : OutputRange(0, inf, includesLower: true),
                monotonic: a >= 0, differentiable: a == 1, zeroCentred: a == 1, derivativeAtZero: Double(a),
                identityNearZero: a == 1, nonLinear: a != 1,
                usage: "hidden layers where ReLU units die: the negative slope keeps a gradient")
        case .softplus(let beta, _):
            return p(
                "f(x) = ln(1 + e^{\(beta)x}) / \(beta)", OutputRange(0, inf), monotonic: true, differentiable: true,
                derivativeAtZero: 0.5, usage: "a smooth ReLU; positive outputs (scales, rates)")
        case .elu(let alpha):
            return p(
                "f(x) = x for x > 0, \(alpha)·(e^x − 1) otherwise", OutputRange(-Double(alpha), inf),
                monotonic: alpha >= 0, differentiable: alpha == 1, derivativeAtZero: Double(alpha),
                identityNearZero: alpha == 1, usage: "hidden layers; negative values push mean activations toward 0")
        case .selu:
            return p(
                "f(x) = λx for x > 0, λα(e^x − 1) otherwise (λ ≈ 1.0507, α ≈ 1.6733)",
                OutputRange(-1.0507009873554805 * 1.6732632423543772, inf), monotonic: true, differentiable: false,
                derivativeAtZero: 1.0507009873554805 * 1.6732632423543772,
                usage: "self-normalizing networks (with LeCun-normal initialization)")
        case .celu(let alpha):
            return p(
                "f(x) = max(0, x) + min(0, \(alpha)·(e^{x/\(alpha)} − 1))", OutputRange(-Double(alpha), inf),
                monotonic: true, differentiable: true, derivativeAtZero: 1, identityNearZero: true,
                usage: "a continuously differentiable ELU for any α")
        case .gelu:
            return p(
                "f(x) = x·Φ(x) = ½x(1 + erf(x/√2))", OutputRange(-0.16997120747990369, inf, includesLower: true),
                monotonic: false, differentiable: true, derivativeAtZero: 0.5,
                usage: "transformers (BERT, GPT); a smooth, probabilistic ReLU")
        case .geluTanh:
            return p(
                "f(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))", OutputRange(-0.17004075057125406, inf, includesLower: true),
                monotonic: false, differentiable: true, derivativeAtZero: 0.5,
                usage: "GELU's cheaper approximation (GPT-2)")
        case .silu:
            return p(
                "f(x) = x·σ(x)", OutputRange(-0.27846454276107374, inf, includesLower: true), monotonic: false,
                differentiable: true, derivativeAtZero: 0.5, usage: "deep CNNs (EfficientNet), found by search (Swish)")
        case .mish:
            return p(
                "f(x) = x·tanh(softplus(x))", OutputRange(-0.30884341301725043, inf, includesLower: true), monotonic: false,
                differentiable: true, derivativeAtZero: 0.6, usage: "object detection (YOLOv4); a smooth self-gated ReLU")
        case .hardSigmoid:
            return p(
                "f(x) = max(0, min(1, x/6 + ½))", OutputRange(0, 1, includesLower: true, includesUpper: true), monotonic: true,
                differentiable: false, saturating: true, derivativeAtZero: 1.0 / 6,
                usage: "a cheap sigmoid for mobile networks (gates in MobileNetV3)")
        case .hardSwish:
            return p(
                "f(x) = x·max(0, min(6, x + 3)) / 6", OutputRange(-0.375, inf, includesLower: true), monotonic: false,
                differentiable: false, derivativeAtZero: 0.5, usage: "a cheap Swish for mobile networks (MobileNetV3)")
        case .relu6:
            return p(
                "f(x) = min(max(0, x), 6)", OutputRange(0, 6, includesLower: true, includesUpper: true), monotonic: true,
                differentiable: false, saturating: true, derivativeAtZero: 0,
                usage: "mobile networks with low-precision arithmetic (MobileNet)")
        case .softsign:
            return p(
                "f(x) = x / (1 + |x|)", OutputRange(-1, 1), monotonic: true, differentiable: true, zeroCentred: true,
                saturating: true, derivativeAtZero: 1, identityNearZero: true,
                usage: "a tanh whose tails approach ±1 polynomially, not exponentially")
        case .logSigmoid:
            return p(
                "f(x) = ln σ(x) = −ln(1 + e^−x)", OutputRange(-inf, 0), monotonic: true, differentiable: true,
                derivativeAtZero: 0.5, usage: "log-probabilities of a binary outcome (stable log-likelihoods)")
        }
    }
}
