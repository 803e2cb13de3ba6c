import Keel

/// What a network is made of, layer by layer, for one sample: output shape, parameters, multiply-accumulates and
/// activation memory — Keras's `summary()` and torchinfo's table. Measured by one forward pass (batch 1, evaluation
/// mode, no gradients) with forward hooks on every module.
public struct ModelSummary: Sendable {
    /// One module of the tree.
    public struct Layer: Equatable, Sendable {
        /// The `state_dict` prefix ("3.body.0"); nesting depth is its number of dots.
        public var name: String
        /// The module's type ("Conv2d", "ReLU (relu)").
        public var type: String
        /// One sample's output shape.
        public var outputShape: [Int]
        /// The module's own learnable parameters (not its children's).
        public var parameters: Int
        /// Multiply-accumulates for one sample: a convolution's output values × (in / groups · kh · kw), a linear
        /// layer's outputs × inputs; 0 for everything else (normalization, pooling and activations cost additions
        /// and comparisons, counted by no convention).
        public var macs: Int
        /// Bytes of the output for one sample (Float32), for modules without children.
        public var activationBytes: Int
        /// Whether the module holds other modules (a `Sequential`, a residual block).
        public var isContainer: Bool
    }

    /// One sample's input shape.
    public var inputShape: [Int]
    /// Every module but the root, in tree order.
    public var layers: [Layer]
    /// All learnable scalars (as PyTorch's `sum(p.numel() for p in model.parameters())`).
    public var parameters: Int
    /// Σ of the layers' multiply-accumulates.
    public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
    /// Σ of the leaf layers' output bytes: what one sample's forward pass keeps for the backward pass, roughly.
    public var activationBytes: Int { layers.reduce(0) { $0 + $1.activationBytes } }
    /// Bytes of the parameters (Float32).
    public var parameterBytes: Int { parameters * 4 }

    /// The summary of `model` for samples of `inputShape` (the model is put in evaluation mode and left so).
    public init(_ model: any Module, inputShape: [Int]) {
        var outputs: [ObjectIdentifier: (input: [Int], output: [Int])] = [:]
        let modules = model.namedModules.filter { !$0.name.isEmpty }
        let hooks = modules.map { entry in
            entry.module.addForwardHook { module, input, output in
                outputs[ObjectIdentifier(module)] = (Array(input.shape.dropFirst()), Array(output.shape.dropFirst()))
            }
        }
        defer { for hook in hooks { hook.remove() } }
        model.eval()
        _ = withoutGradients { model(Tensor.zeros([1] + inputShape)) }
        self.inputShape = inputShape
        parameters = model.parameterCount
        layers = modules.map { name, module in
            let shapes = outputs[ObjectIdentifier(module)] ?? ([], [])
            let own = module.ownParameters.reduce(0) { $0 + $1.parameter.shape.reduce(1, *) }
            let isContainer = !module.children.isEmpty
            let kind = (module as? ActivationLayer).map { "\(type(of: $0)) (\($0.activation.name))" } ?? "\(type(of: module))"
            return Layer(
                name: name, type: kind, outputShape: shapes.output, parameters: own,
                macs: Self.macs(module, input: shapes.input, output: shapes.output),
                activationBytes: isContainer ? 0 : shapes.output.reduce(1, *) * 4, isContainer: isContainer)
        }
    }

    /// 272474 → "272,474": counts as the summaries and model files print them.
    public static func grouped(_ n: Int) -> String {
        var digits = String(n.magnitude)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return (n < 0 ? "-" : "") + digits
    }

    /// A convolution's or linear layer's multiply-accumulates for one sample's shapes; 0 for other modules.
    static func macs(_ module: any Module, input: [Int], output: [Int]) -> Int {
        switch module {
        case let conv as Conv2d:
            let w = conv.weight.shape
            return output.reduce(1, *) * w[1] * w[2] * w[3]
        case let linear as Linear:
            return output.reduce(1, *) * linear.inFeatures
        default:
            return 0
        }
    }
}
