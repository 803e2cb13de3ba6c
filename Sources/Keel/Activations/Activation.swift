import CKeelKernels

/// An element-wise activation function with its parameters.
///
/// Names follow PyTorch's functional names (`leaky_relu`, `gelu_tanh`, `hardsigmoid`, …); values and
/// derivatives match PyTorch, including its conventions at kinks (ReLU′(0) = 0, ReLU6′(6) = 0, …).
public enum Activation: Hashable, Sendable, Codable {
    /// f(x) = x.
    case identity
    /// σ(x) = 1 / (1 + e^−x).
    case sigmoid
    /// tanh x.
    case tanh
    /// max(0, x).
    case relu
    /// x for x > 0, a·x otherwise.
    case leakyReLU(negativeSlope: Float = 0.01)
    /// (1/β)·ln(1 + e^{βx}), or x where βx > threshold.
    case softplus(beta: Float = 1, threshold: Float = 20)
    /// x for x > 0, α(e^x − 1) otherwise.
    case elu(alpha: Float = 1)
    /// λ·elu(x; α) with λ ≈ 1.0507, α ≈ 1.6733 (self-normalizing).
    case selu
    /// x for x > 0, α(e^{x/α} − 1) otherwise.
    case celu(alpha: Float = 1)
    /// x·Φ(x) = ½x(1 + erf(x/√2)).
    case gelu
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    case geluTanh
    /// x·σ(x) (Swish with β = 1).
    case silu
    /// x·tanh(softplus(x)).
    case mish
    /// relu6(x + 3) / 6.
    case hardSigmoid
    /// x·relu6(x + 3) / 6.
    case hardSwish
    /// min(max(0, x), 6).
    case relu6
    /// x / (1 + |x|).
    case softsign
    /// ln σ(x) = −softplus(−x).
    case logSigmoid

    /// Every activation with its default parameters.
    public static let all: [Activation] = [
        .identity, .sigmoid, .tanh, .relu, .leakyReLU(), .softplus(), .elu(), .selu, .celu(), .gelu, .geluTanh,
        .silu, .mish, .hardSigmoid, .hardSwish, .relu6, .softsign, .logSigmoid,
    ]

    /// PyTorch's functional name.
    public var name: String {
        switch self {
        case .identity: return "identity"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .leakyReLU: return "leaky_relu"
        case .softplus: return "softplus"
        case .elu: return "elu"
        case .selu: return "selu"
        case .celu: return "celu"
        case .gelu: return "gelu"
        case .geluTanh: return "gelu_tanh"
        case .silu: return "silu"
        case .mish: return "mish"
        case .hardSigmoid: return "hardsigmoid"
        case .hardSwish: return "hardswish"
        case .relu6: return "relu6"
        case .softsign: return "softsign"
        case .logSigmoid: return "logsigmoid"
        }
    }

    /// Names accepted by `init(name:)`: PyTorch's, plus a few aliases.
    public static let names = all.map(\.name) + ["linear", "swish", "hard_sigmoid", "hard_swish", "log_sigmoid"]

    /// The activation called `name`, with optional parameters (ignored where they do not apply).
    public init?(
        name: String, negativeSlope: Float? = nil, alpha: Float? = nil, beta: Float? = nil,
        threshold: Float? = nil
    ) {
        switch name.lowercased() {
        case "identity", "linear": self = .identity
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "relu": self = .relu
        case "leaky_relu", "leakyrelu": self = .leakyReLU(negativeSlope: negativeSlope ?? 0.01)
        case "softplus": self = .softplus(beta: beta ?? 1, threshold: threshold ?? 20)
        case "elu": self = .elu(alpha: alpha ?? 1)
        case "selu": self = .selu
        case "celu": self = .celu(alpha: alpha ?? 1)
        case "gelu": self = .gelu
        case "gelu_tanh": self = .geluTanh
        case "silu", "swish": self = .silu
        case "mish": self = .mish
        case "hardsigmoid", "hard_sigmoid": self = .hardSigmoid
        case "hardswish", "hard_swish": self = .hardSwish
        case "relu6": self = .relu6
        case "softsign": self = .softsign
        case "logsigmoid", "log_sigmoid": self = .logSigmoid
        default: return nil
        }
    }

    /// The kernel's identifier and parameters.
    var kernel: (kind: Int32, parameters: [Float]) {
        switch self {
        case .identity: return (Int32(KEEL_ACT_IDENTITY), [])
        case .sigmoid: return (Int32(KEEL_ACT_SIGMOID), [])
        case .tanh: return (Int32(KEEL_ACT_TANH), [])
        case .relu: return (Int32(KEEL_ACT_RELU), [])
        case .leakyReLU(let slope): return (Int32(KEEL_ACT_LEAKY_RELU), [slope])
        case .softplus(let beta, let threshold): return (Int32(KEEL_ACT_SOFTPLUS), [beta, threshold])
        case .elu(let alpha): return (Int32(KEEL_ACT_ELU), [alpha])
        case .selu: return (Int32(KEEL_ACT_SELU), [])
        case .celu(let alpha): return (Int32(KEEL_ACT_CELU), [alpha])
        case .gelu: return (Int32(KEEL_ACT_GELU), [])
        case .geluTanh: return (Int32(KEEL_ACT_GELU_TANH), [])
        case .silu: return (Int32(KEEL_ACT_SILU), [])
        case .mish: return (Int32(KEEL_ACT_MISH), [])
        case .hardSigmoid: return (Int32(KEEL_ACT_HARDSIGMOID), [])
        case .hardSwish: return (Int32(KEEL_ACT_HARDSWISH), [])
        case .relu6: return (Int32(KEEL_ACT_RELU6), [])
        case .softsign: return (Int32(KEEL_ACT_SOFTSIGN), [])
        case .logSigmoid: return (Int32(KEEL_ACT_LOGSIGMOID), [])
        }
    }

    /// What is wrong with the parameters (a zero or non-finite β or α), or nil when they make sense.
    public var problem: String? {
        switch self {
        case .softplus(let beta, let threshold):
            if !(beta != 0 && beta.isFinite) { return "softplus: beta must be finite and non-zero, got \(beta)" }
            if threshold.isNaN { return "softplus: threshold must be a number, got \(threshold)" }
        case .celu(let alpha): if !(alpha != 0 && alpha.isFinite) { return "celu: alpha must be finite and non-zero, got \(alpha)" }
        case .elu(let alpha): if !alpha.isFinite { return "elu: alpha must be finite, got \(alpha)" }
        case .leakyReLU(let slope): if !slope.isFinite { return "leaky_relu: negative slope must be finite, got \(slope)" }
        default: break
        }
        return nil
    }

    /// Checks parameters, stopping with a message on nonsense (inputs are checked with `problem` first).
    func validate() {
        if let problem { ensure(false, problem) }
    }

    /// An activation from a spec "NAME" or "NAME:PARAMETER" (the negative slope, α or β), e.g. `leaky_relu:0.2`;
    /// throws a one-line description of what is wrong.
    public static func parse(_ spec: String) throws -> Activation {
        let parsed: Spec
        do { parsed = try Spec.parse(spec) } catch {
            throw ActivationSpecError(spec: spec, problem: "empty activation name; known: \(all.map(\.name).joined(separator: ", "))")
        }
        let name = parsed.name
        var parameter: Float?
        if !parsed.parameters.isEmpty {
            throw ActivationSpecError(spec: spec, problem: "expected NAME or NAME:NUMBER (leaky_relu:0.2), got parameters with '='")
        }
        if let text = parsed.unnamedValue {
            guard let value = Float(text), value.isFinite else {
                throw ActivationSpecError(spec: spec, problem: "the parameter after ':' must be a finite number, got '\(text)'")
            }
            parameter = value
        }
        guard let activation = Activation(name: name, negativeSlope: parameter, alpha: parameter, beta: parameter) else {
            throw ActivationSpecError(spec: spec, problem: "unknown activation '\(name)'; known: \(all.map(\.name).joined(separator: ", "))")
        }
        if let problem = activation.problem { throw ActivationSpecError(spec: spec, problem: problem) }
        return activation
    }

    /// f(x) for one value (through the same kernel as tensors).
    public func callAsFunction(_ x: Float) -> Float { apply(to: Tensor([x])).scalars[0] }

    /// f′(x) for one value.
    public func derivative(_ x: Float) -> Float { derivative(at: Tensor([x])).scalars[0] }

    /// f applied element-wise, without recording autograd (use `Tensor.activation(_:)` for that).
    public func apply(to x: Tensor) -> Tensor {
        validate()
        let (kind, parameters) = kernel
        var y = Tensor(uninitializedShape: x.shape)
        let src = x.storage.pointer
        parameters.withUnsafeBufferPointer { p in
            let params = p.baseAddress
            y.withUnsafeMutablePointer { dst in
                Parallel.forRanges(x.count, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                    keel_activation_forward(kind, src + r.lowerBound, dst + r.lowerBound, r.count, params)
                }
            }
        }
        return y
    }

    /// g ⊙ f′(x) given x and y = f(x).
    func backward(x: Tensor, y: Tensor, gradient: Tensor) -> Tensor {
        let (kind, parameters) = kernel
        var dx = Tensor(uninitializedShape: x.shape)
        let px = x.storage.pointer
        let py = y.storage.pointer
        let pg = gradient.storage.pointer
        parameters.withUnsafeBufferPointer { p in
            let params = p.baseAddress
            dx.withUnsafeMutablePointer { d in
                Parallel.forRanges(x.count, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                    let o = r.lowerBound
                    keel_activation_backward(kind, px + o, py + o, pg + o, d + o, r.count, params)
                }
            }
        }
        return dx
    }

    /// f′ element-wise.
    public func derivative(at x: Tensor) -> Tensor {
        backward(x: x, y: apply(to: x), gradient: Tensor.ones(x.shape))
    }
}

/// An activation spec that could not be parsed (`Activation.parse`).
public struct ActivationSpecError: Error, CustomStringConvertible {
    /// The spec as given.
    public var spec: String
    /// What is wrong with it.
    public var problem: String
    /// "activation 'SPEC': PROBLEM".
    public var description: String { "activation '\(spec)': \(problem)" }
}
