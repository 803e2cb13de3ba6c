/// An activation as a layer: `ActivationLayer(.gelu)`, or one of the named types (`ReLU()`, `GELU()`, …).
/// Its dead/saturated statistics come from a forward hook (`ActivationStatistics.record(on:)`).
public class ActivationLayer: Module {
    public let activation: Activation
    public var isTraining = true

    public init(_ activation: Activation) { self.activation = activation }

    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.activation(activation)) }
}

/// PReLU layer with one learnable slope, or one per channel (axis 1); initial slope 0.25 (PyTorch).
public final class PReLU: Module {
    public let weight: Parameter
    public var isTraining = true

    public init(channels: Int = 1, initialSlope: Float = 0.25) {
        ensure(channels > 0, "PReLU: channels must be positive, got \(channels)")
        weight = Parameter(Tensor.full([channels], initialSlope))
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.prelu(weight.value)) }
}

/// Softmax along an axis (default: the last).
public final class Softmax: Module {
    public let axis: Int
    public var isTraining = true
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.softmax(axis: axis)) }
}

/// Log-softmax along an axis (default: the last).
public final class LogSoftmax: Module {
    public let axis: Int
    public var isTraining = true
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.logSoftmax(axis: axis)) }
}

/// What one batch did to an activation layer: the numbers that show dead and saturated neurons.
public struct ActivationStatistics: Equatable, Sendable, Codable {
    /// Fraction of units (positions of one sample's output) that are zero for every sample of the batch
    /// (dead ReLU-family units).
    public var deadFraction: Float
    /// Fraction of activations whose derivative |f′(x)| is below `saturationThreshold` (saturated sigmoid/tanh).
    public var saturatedFraction: Float
    /// Mean |f′(x)| over the batch: the factor by which the layer scales gradients on average.
    public var meanDerivative: Float

    public static let saturationThreshold: Float = 0.01

    init(activation: Activation, input: Tensor, output: Tensor) {
        let batch = Swift.max(input.shape.first ?? 1, 1)
        let units = Swift.max(output.count / batch, 1)
        let y = output.scalars
        var dead = 0
        for u in 0..<units {
            var alive = false
            for n in 0..<batch where y[n * units + u] != 0 {
                alive = true
                break
            }
            if !alive { dead += 1 }
        }
        let derivative = activation.derivative(at: input).abs()
        deadFraction = Float(dead) / Float(units)
        saturatedFraction = derivative.less(Tensor(ActivationStatistics.saturationThreshold)).mean().scalar
        meanDerivative = derivative.mean().scalar
    }
}

extension ActivationStatistics {
    /// Records the statistics of every training batch of `layer` into `store` through a forward hook.
    @discardableResult
    public static func record(on layer: ActivationLayer, into store: @escaping (ActivationStatistics) -> Void) -> ForwardHookHandle {
        layer.addForwardHook { module, input, output in
            guard module.isTraining else { return }
            store(withoutGradients { ActivationStatistics(activation: layer.activation, input: input, output: output) })
        }
    }
}

/// max(0, x).
public final class ReLU: ActivationLayer { public init() { super.init(.relu) } }
/// σ(x) = 1 / (1 + e⁻ˣ).
public final class Sigmoid: ActivationLayer { public init() { super.init(.sigmoid) } }
/// tanh(x).
public final class Tanh: ActivationLayer { public init() { super.init(.tanh) } }
/// max(0, x) + negativeSlope · min(0, x).
public final class LeakyReLU: ActivationLayer {
    public init(negativeSlope: Float = 0.01) { super.init(.leakyReLU(negativeSlope: negativeSlope)) }
}
/// x · Φ(x), exact (erf) or with PyTorch's tanh approximation.
public final class GELU: ActivationLayer {
    public init(approximateTanh: Bool = false) { super.init(approximateTanh ? .geluTanh : .gelu) }
}
/// x · σ(x) (swish).
public final class SiLU: ActivationLayer { public init() { super.init(.silu) } }
/// x · tanh(softplus(x)).
public final class Mish: ActivationLayer { public init() { super.init(.mish) } }
/// x for x > 0, α(eˣ − 1) otherwise.
public final class ELU: ActivationLayer { public init(alpha: Float = 1) { super.init(.elu(alpha: alpha)) } }
/// λ · ELU(x; α) with PyTorch's constants.
public final class SELU: ActivationLayer { public init() { super.init(.selu) } }
/// ln(1 + e^(βx)) / β.
public final class Softplus: ActivationLayer { public init(beta: Float = 1) { super.init(.softplus(beta: beta)) } }
/// max(0, x) + min(0, α(e^(x/α) − 1)).
public final class CELU: ActivationLayer { public init(alpha: Float = 1) { super.init(.celu(alpha: alpha)) } }
/// ReLU6(x + 3) / 6.
public final class Hardsigmoid: ActivationLayer { public init() { super.init(.hardSigmoid) } }
/// x · ReLU6(x + 3) / 6.
public final class Hardswish: ActivationLayer { public init() { super.init(.hardSwish) } }
/// min(max(0, x), 6).
public final class ReLU6: ActivationLayer { public init() { super.init(.relu6) } }
/// x / (1 + |x|).
public final class Softsign: ActivationLayer { public init() { super.init(.softsign) } }
/// ln σ(x).
public final class LogSigmoid: ActivationLayer { public init() { super.init(.logSigmoid) } }
