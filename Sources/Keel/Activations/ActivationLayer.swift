/// An activation as a layer: `ActivationLayer(.gelu)`. While `recordsStatistics` is on, it keeps the
/// dead/saturated statistics of its last training batch for diagnostics.
public final class ActivationLayer: Module {
    public let activation: Activation
    public var isTraining = true
    /// Whether forward passes in training mode record `lastStatistics`.
    public var recordsStatistics = false
    /// Statistics of the last recorded batch.
    public private(set) var lastStatistics: ActivationStatistics?

    public init(_ activation: Activation) { self.activation = activation }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        let output = input.activation(activation)
        if recordsStatistics && isTraining {
            lastStatistics = withoutGradients { ActivationStatistics(activation: activation, input: input, output: output) }
        }
        return output
    }
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
    public func callAsFunction(_ input: Tensor) -> Tensor { input.prelu(weight.value) }
}

/// Softmax along an axis (default: the last).
public final class Softmax: Module {
    public let axis: Int
    public var isTraining = true
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.softmax(axis: axis) }
}

/// Log-softmax along an axis (default: the last).
public final class LogSoftmax: Module {
    public let axis: Int
    public var isTraining = true
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.logSoftmax(axis: axis) }
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

/// max(0, x) as a layer (an `ActivationLayer(.relu)`).
public func ReLU() -> ActivationLayer { ActivationLayer(.relu) }
/// σ(x) as a layer.
public func Sigmoid() -> ActivationLayer { ActivationLayer(.sigmoid) }
/// tanh(x) as a layer.
public func Tanh() -> ActivationLayer { ActivationLayer(.tanh) }
/// Leaky ReLU as a layer.
public func LeakyReLU(negativeSlope: Float = 0.01) -> ActivationLayer { ActivationLayer(.leakyReLU(negativeSlope: negativeSlope)) }
/// GELU as a layer.
public func GELU(approximateTanh: Bool = false) -> ActivationLayer { ActivationLayer(approximateTanh ? .geluTanh : .gelu) }
