/// Modules applied one after another; children are named "0", "1", … as in PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    /// The layers, applied in order.
    public let layers: [any Module]
    /// Training or evaluation mode (`train()` and `eval()` set it on every layer).
    public var isTraining = true

    /// The given layers, in order.
    public init(_ layers: [any Module]) { self.layers = layers }
    /// The layers listed in the builder: `Sequential { Linear(784, 10); ReLU() }`.
    public init(@ModuleBuilder _ build: () -> [any Module]) { layers = build() }

    /// The layers named "0", "1", … as PyTorch's `nn.Sequential`.
    public var children: [(name: String, module: any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    /// The layers in order. A ReLU layer followed by a MaxPool2d, neither with forward hooks, runs as one op
    /// (`MaxPool2d.forward(_:relu:)`: ReLU′ applied at the windows' maxima, relu(x) never written); otherwise a
    /// convolution, batch norm or residual block followed by a ReLU layer, neither with forward hooks, runs as
    /// one fused op (`conv2d(…, relu: true)`, `BatchNorm.forward(_:relu:)`, `Residual.forward(_:relu:)`). The
    /// same bits either way, fewer passes over the activations.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        var x = input
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            if isPlainReLU(i), let pool = plainMaxPool(i + 1) {
                x = pool.forward(x, relu: true)
                i += 2
            } else if isPlainReLU(i + 1), plainMaxPool(i + 2) == nil, !layer.hasForwardHooks, let fused = Self.withReLU(layer, x) {
                x = fused
                i += 2
            } else {
                x = layer(x)
                i += 1
            }
        }
        return withForwardHooks(input, x)
    }

    /// Whether layer i is a ReLU layer without forward hooks.
    private func isPlainReLU(_ i: Int) -> Bool {
        guard i < layers.count, let relu = layers[i] as? ActivationLayer else { return false }
        return relu.activation == .relu && !relu.hasForwardHooks
    }

    /// Layer i, when it is a MaxPool2d without forward hooks.
    private func plainMaxPool(_ i: Int) -> MaxPool2d? {
        guard i < layers.count, let pool = layers[i] as? MaxPool2d, !pool.hasForwardHooks else { return nil }
        return pool
    }

    /// relu(layer(x)) as one fused op, for the layers that have one.
    private static func withReLU(_ layer: any Module, _ x: Tensor) -> Tensor? {
        switch layer {
        case let convolution as Conv2d: convolution.forward(x, relu: true)
        case let batchNorm as BatchNorm: batchNorm.forward(x, relu: true)
        case let residual as Residual: residual.forward(x, relu: true)
        default: nil
        }
    }
}

/// Builds a list of modules: `Sequential { Linear(784, 10); ReLU() }`.
@resultBuilder
public enum ModuleBuilder {
    /// One layer.
    public static func buildExpression(_ module: any Module) -> [any Module] { [module] }
    /// The layers of the block, in order.
    public static func buildBlock(_ parts: [any Module]...) -> [any Module] { parts.flatMap { $0 } }
    /// The layers of an `if` without `else`, when taken.
    public static func buildOptional(_ part: [any Module]?) -> [any Module] { part ?? [] }
    /// The layers of an `if`'s first branch.
    public static func buildEither(first: [any Module]) -> [any Module] { first }
    /// The layers of an `if`'s `else` branch.
    public static func buildEither(second: [any Module]) -> [any Module] { second }
    /// The layers of a `for` loop, iteration after iteration.
    public static func buildArray(_ parts: [[any Module]]) -> [any Module] { parts.flatMap { $0 } }
}
