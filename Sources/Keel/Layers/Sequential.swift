/// Modules applied one after another; children are named "0", "1", … as in PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    public let layers: [any Module]
    public var isTraining = true

    public init(_ layers: [any Module]) { self.layers = layers }
    public init(@ModuleBuilder _ build: () -> [any Module]) { layers = build() }

    public var children: [(name: String, module: any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    public func callAsFunction(_ input: Tensor) -> Tensor { layers.reduce(input) { $1($0) } }
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
