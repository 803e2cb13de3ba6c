/// An activation as a layer: `ActivationLayer(.gelu)`, or one of the named types (`ReLU()`, `GELU()`, …).
/// Its dead/saturated statistics come from a forward hook (`ActivationStatistics.record(on:)`).
public class ActivationLayer: Module {
    /// The function applied element-wise.
    public let activation: Activation
    /// Unused: an activation acts the same in training and evaluation.
    public var isTraining = true

    /// A layer applying `activation` element-wise.
    public init(_ activation: Activation) { self.activation = activation }

    /// f(x) element-wise, any shape.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.activation(activation)) }
}

/// PReLU layer with one learnable slope, or one per channel (axis 1); initial slope 0.25 (PyTorch).
public final class PReLU: Module {
    /// The slopes of the negative side: [1] or [channels].
    public let weight: Parameter
    /// Unused: PReLU acts the same in training and evaluation.
    public var isTraining = true

    /// One slope for all channels (`channels` 1) or one per channel of axis 1, each starting at `initialSlope`.
    public init(channels: Int = 1, initialSlope: Float = 0.25) {
        ensure(channels > 0, "PReLU: channels must be positive, got \(channels)")
        weight = Parameter(Tensor.full([channels], initialSlope))
    }

    /// `weight`, as PyTorch names it.
    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }
    /// max(0, x) + a · min(0, x), with a broadcast along axis 1.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.prelu(weight.value)) }
}

/// Softmax along an axis (default: the last).
public final class Softmax: Module {
    /// The axis the probabilities sum to 1 along.
    public let axis: Int
    /// Unused: softmax acts the same in training and evaluation.
    public var isTraining = true
    /// Softmax along `axis` (negative counts from the end).
    public init(axis: Int = -1) { self.axis = axis }
    /// exp(x − max) / Σ exp(x − max) along `axis`.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.softmax(axis: axis)) }
}

/// Log-softmax along an axis (default: the last).
public final class LogSoftmax: Module {
    /// The axis the normalization runs along.
    public let axis: Int
    /// Unused: log-softmax acts the same in training and evaluation.
    public var isTraining = true
    /// Log-softmax along `axis` (negative counts from the end).
    public init(axis: Int = -1) { self.axis = axis }
    /// x − max − log Σ exp(x − max) along `axis`.
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

    /// |f′(x)| below this counts as saturated.
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
public final class ReLU: ActivationLayer {
    /// A ReLU layer.
    public init() { super.init(.relu) }
}
/// σ(x) = 1 / (1 + e⁻ˣ).
public final class Sigmoid: ActivationLayer {
    /// A Sigmoid layer.
    public init() { super.init(.sigmoid) }
}
/// tanh(x).
public final class Tanh: ActivationLayer {
    /// A Tanh layer.
    public init() { super.init(.tanh) }
}
/// max(0, x) + negativeSlope · min(0, x).
public final class LeakyReLU: ActivationLayer {
    /// A Leaky ReLU layer; `negativeSlope` multiplies negative inputs (PyTorch's default 0.01).
    public init(negativeSlope: Float = 0.01) { super.init(.leakyReLU(negativeSlope: negativeSlope)) }
}
/// x · Φ(x), exact (erf) or with PyTorch's tanh approximation.
public final class GELU: ActivationLayer {
    /// A GELU layer, exact (erf) by default, PyTorch's tanh approximation with `approximateTanh`.
    public init(approximateTanh: Bool = false) { super.init(approximateTanh ? .geluTanh : .gelu) }
}
/// x · σ(x) (swish).
public final class SiLU: ActivationLayer {
    /// A SiLU layer.
    public init() { super.init(.silu) }
}
/// x · tanh(softplus(x)).
public final class Mish: ActivationLayer {
    /// A Mish layer.
    public init() { super.init(.mish) }
}
/// x for x > 0, α(eˣ − 1) otherwise.
public final class ELU: ActivationLayer {
    /// An ELU layer; `alpha` (α) is the value the negative side saturates at, −α (PyTorch's default 1).
    public init(alpha: Float = 1) { super.init(.elu(alpha: alpha)) }
}
/// λ · ELU(x; α) with PyTorch's constants.
public final class SELU: ActivationLayer {
    /// A SELU layer.
    public init() { super.init(.selu) }
}
/// ln(1 + e^(βx)) / β.
public final class Softplus: ActivationLayer {
    /// A Softplus layer; `beta` (β) sharpens the corner (PyTorch's default 1).
    public init(beta: Float = 1) { super.init(.softplus(beta: beta)) }
}
/// max(0, x) + min(0, α(e^(x/α) − 1)).
public final class CELU: ActivationLayer {
    /// A CELU layer; `alpha` (α ≠ 0) sets the negative side's scale (PyTorch's default 1).
    public init(alpha: Float = 1) { super.init(.celu(alpha: alpha)) }
}
/// ReLU6(x + 3) / 6.
public final class Hardsigmoid: ActivationLayer {
    /// A Hardsigmoid layer.
    public init() { super.init(.hardSigmoid) }
}
/// x · ReLU6(x + 3) / 6.
public final class Hardswish: ActivationLayer {
    /// A Hardswish layer.
    public init() { super.init(.hardSwish) }
}
/// min(max(0, x), 6).
public final class ReLU6: ActivationLayer {
    /// A ReLU6 layer.
    public init() { super.init(.relu6) }
}
/// x / (1 + |x|).
public final class Softsign: ActivationLayer {
    /// A Softsign layer.
    public init() { super.init(.softsign) }
}
/// ln σ(x).
public final class LogSigmoid: ActivationLayer {
    /// A LogSigmoid layer.
    public init() { super.init(.logSigmoid) }
}
