/// Modules applied one after another; children are named "0", "1", … as in PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    public let layers: [any Module]
    public var isTraining = true

    public init(_ layers: [any Module]) { self.layers = layers }
    public init(@ModuleBuilder _ build: () -> [any Module]) { layers = build() }

    public var children: [(name: String, module: any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    /// The layers in order. A convolution followed by a ReLU layer, neither with forward hooks, runs as one
    /// fused op (`conv2d(…, relu: true)`): the same bits, two fewer passes over the activations.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        var x = input
        var i = 0
        while i < layers.count {
            if let convolution = layers[i] as? Conv2d, i + 1 < layers.count, let next = layers[i + 1] as? ActivationLayer,
                next.activation == .relu, !convolution.hasForwardHooks, !next.hasForwardHooks
            {
                x = convolution.forward(x, relu: true)
                i += 2
            } else {
                x = layers[i](x)
                i += 1
            }
        }
        return withForwardHooks(input, x)
    }
}

/// Builds a list of modules: `Sequential { Linear(784, 10); ReLU() }`.
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ module: any Module) -> [any Module] { [module] }
    public static func buildBlock(_ parts: [any Module]...) -> [any Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Module]?) -> [any Module] { part ?? [] }
    public static func buildEither(first: [any Module]) -> [any Module] { first }
    public static func buildEither(second: [any Module]) -> [any Module] { second }
    public static func buildArray(_ parts: [[any Module]]) -> [any Module] { parts.flatMap { $0 } }
}
