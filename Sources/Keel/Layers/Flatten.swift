/// Flattens all axes from `startAxis` (default 1, keeping the batch axis): [N, C, H, W] → [N, C·H·W].
public final class Flatten: Module {
    /// The first axis merged; earlier axes are kept (1 keeps the batch axis).
    public let startAxis: Int
    /// Unused: flattening acts the same in training and evaluation.
    public var isTraining = true
    /// Flattens axes `startAxis`… into one (PyTorch's `nn.Flatten(start_dim=1)` by default).
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    /// [N, d₁, d₂, …] → [N, d₁·d₂·…] for the default `startAxis` 1.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.flattened(from: startAxis)) }
}

/// y = x (a placeholder, or the "linear activation" in comparisons).
public final class Identity: Module {
    /// Unused: the identity acts the same in training and evaluation.
    public var isTraining = true
    /// An identity layer.
    public init() {}
    /// The input, unchanged.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input) }
}
