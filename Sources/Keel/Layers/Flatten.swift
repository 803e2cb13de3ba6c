/// Flattens all axes from `startAxis` (default 1, keeping the batch axis): [N, C, H, W] → [N, C·H·W].
public final class Flatten: Module {
    public let startAxis: Int
    public var isTraining = true
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input.flattened(from: startAxis)) }
}

/// y = x (a placeholder, or the "linear activation" in comparisons).
public final class Identity: Module {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, input) }
}
