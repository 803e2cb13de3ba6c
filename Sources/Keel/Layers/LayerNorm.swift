/// Layer normalization over the last axes (PyTorch's `nn.LayerNorm`):
/// y = (x − mean) / √(var + ε) · γ + β with the biased variance over `normalizedShape`.
public final class LayerNorm: Module {
    /// The trailing shape normalized over (e.g. [features]).
    public let normalizedShape: [Int]
    /// γ of `normalizedShape` (nil without `elementwiseAffine`).
    public let weight: Parameter?
    /// β of `normalizedShape` (nil without `elementwiseAffine`).
    public let bias: Parameter?
    /// ε added to the variance.
    public let epsilon: Float
    /// Unused: layer norm acts the same in training and evaluation.
    public var isTraining = true

    /// Layer norm over the trailing `normalizedShape`; γ starts at 1 and β at 0.
    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        ensure(
            !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
            "LayerNorm: invalid normalized shape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    /// `weight` and `bias`, as PyTorch names them.
    public var ownParameters: [(name: String, parameter: Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// (x − μ) / √(σ² + ε) · γ + β, statistics over the trailing `normalizedShape` of each sample.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        let k = normalizedShape.count
        ensure(
            input.rank >= k && Array(input.shape.suffix(k)) == normalizedShape,
            "LayerNorm: input of shape \(input.shape) does not end with \(normalizedShape)")
        let axes = Array((input.rank - k)..<input.rank)
        let centred = input - input.mean(axes: axes, keepDims: true)
        let variance = (centred * centred).mean(axes: axes, keepDims: true)
        let normalized = centred / (variance + epsilon).sqrt()
        guard let weight, let bias else { return normalized }
        return normalized * weight.value + bias.value
    }
}

/// Group normalization (PyTorch's `nn.GroupNorm`): channels split into groups, each sample's group
/// normalized by its own mean and biased variance, then a per-channel affine map.
public final class GroupNorm: Module {
    /// How many groups the channels are split into.
    public let groups: Int
    /// Channels of the input (axis 1), a multiple of `groups`.
    public let channels: Int
    /// γ per channel (nil without `affine`).
    public let weight: Parameter?
    /// β per channel (nil without `affine`).
    public let bias: Parameter?
    /// ε added to the variance.
    public let epsilon: Float
    /// Unused: group norm acts the same in training and evaluation.
    public var isTraining = true

    /// Group norm of `channels` channels in `groups` groups; γ starts at 1 and β at 0.
    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        ensure(
            groups > 0 && channels > 0 && channels % groups == 0,
            "GroupNorm: \(channels) channels cannot be split into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.ones([channels])) : nil
        bias = affine ? Parameter(Tensor.zeros([channels])) : nil
    }

    /// `weight` and `bias`, as PyTorch names them.
    public var ownParameters: [(name: String, parameter: Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [N, C, …]: each sample's channels in groups of C / groups, normalized over the group, then γ, β per channel.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        ensure(
            input.rank >= 2 && input.shape[1] == channels,
            "GroupNorm: input of shape \(input.shape) does not have \(channels) channels")
        let grouped = input.reshaped([input.shape[0], groups, -1])
        let centred = grouped - grouped.mean(axis: 2, keepDims: true)
        let variance = (centred * centred).mean(axis: 2, keepDims: true)
        let normalized = (centred / (variance + epsilon).sqrt()).reshaped(input.shape)
        guard let weight, let bias else { return normalized }
        var statShape = [Int](repeating: 1, count: input.rank)
        statShape[1] = channels
        return normalized * weight.value.reshaped(statShape) + bias.value.reshaped(statShape)
    }
}

/// Local response normalization across channels (AlexNet; PyTorch's `nn.LocalResponseNorm`):
/// b_c = a_c / (k + α/n · Σ_{c′ in the n-channel window around c} a_{c′}²)^β, zero-padded at the ends.
public final class LocalResponseNorm: Module {
    /// The number of neighbouring channels summed over.
    public let size: Int
    public let alpha: Float, beta: Float, k: Float
    /// Unused: LRN acts the same in training and evaluation.
    public var isTraining = true

    /// Local response normalization (AlexNet) with PyTorch's parameters.
    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) {
        ensure(size > 0, "LocalResponseNorm: size must be positive, got \(size)")
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
    }

    /// x / (k + α/n · Σ x² over `size` neighbouring channels)^β, [N, C, …].
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        ensure(input.rank >= 3, "LocalResponseNorm: needs input [N, C, ...], got shape \(input.shape)")
        let channels = input.shape[1]
        let squared = input * input
        var padShape = input.shape
        padShape[1] = size / 2
        var back = input.shape
        back[1] = (size - 1) / 2
        let padded = Tensor.concatenate([Tensor.zeros(padShape), squared, Tensor.zeros(back)], axis: 1)
        var windowSum = padded.slice(axis: 1, 0..<channels)
        for offset in 1..<size { windowSum = windowSum + padded.slice(axis: 1, offset..<(offset + channels)) }
        return input / (windowSum * (alpha / Float(size)) + k).pow(beta)
    }
}
