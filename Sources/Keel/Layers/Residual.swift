/// A residual (skip) connection: body(x) + shortcut(x), with the identity as the shortcut when there is none — the
/// building block of ResNets (He et al. 2016). Children are named `body` and `shortcut`, so a basic block's weights
/// read `body.0.weight`, `shortcut.1.running_mean`, ….
///
/// ```swift
/// let block = Residual(shortcut: Sequential { Conv2d(16, 32, kernelSize: 1, stride: 2, bias: false); BatchNorm2d(32) }) {
///     Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, bias: false); BatchNorm2d(32); ReLU()
///     Conv2d(32, 32, kernelSize: 3, padding: 1, bias: false); BatchNorm2d(32)
/// }
/// ```
public final class Residual: Module {
    /// The main path.
    public let body: any Module
    /// The skip path (nil: the identity); it must give body's output shape.
    public let shortcut: (any Module)?
    /// Training or evaluation mode (`train()` and `eval()` set it on every layer).
    public var isTraining = true

    /// body(x) + shortcut(x).
    public init(_ body: any Module, shortcut: (any Module)? = nil) {
        self.body = body
        self.shortcut = shortcut
    }

    /// The body as a `Sequential` of the layers listed.
    public convenience init(shortcut: (any Module)? = nil, @ModuleBuilder body: () -> [any Module]) {
        self.init(Sequential(body()), shortcut: shortcut)
    }

    /// `body`, then `shortcut` when there is one.
    public var children: [(name: String, module: any Module)] { [("body", body)] + (shortcut.map { [("shortcut", $0)] } ?? []) }

    /// body(x) + shortcut(x); both paths must give the same shape.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let main = body(input)
        let skip = shortcut?(input) ?? input
        ensure(main.shape == skip.shape, "Residual: the body gives \(main.shape) but the shortcut \(skip.shape)")
        return withForwardHooks(input, main + skip)
    }

    /// ReLU(body(x) + shortcut(x)), the sum and the ReLU fused into one op (`Sequential` uses it for a residual block
    /// followed by a ReLU layer): the same bits as `relu(self(input))`. This block's forward hooks are not called.
    public func forward(_ input: Tensor, relu: Bool) -> Tensor {
        guard relu else { return callAsFunction(input) }
        let main = body(input)
        let skip = shortcut?(input) ?? input
        ensure(main.shape == skip.shape, "Residual: the body gives \(main.shape) but the shortcut \(skip.shape)")
        return Tensor.addReLU(main, skip)
    }
}
