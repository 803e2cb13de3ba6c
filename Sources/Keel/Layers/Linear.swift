/// Fully connected layer: y = x · Wᵀ + b. Shapes: [..., in] → [..., out]; weight [out, in], bias [out].
public final class Linear: Module {
    /// W, [out, in].
    public let weight: Parameter
    /// b, [out] (nil without `bias`).
    public let bias: Parameter?
    /// Unused: a linear layer acts the same in training and evaluation.
    public var isTraining = true

    /// PyTorch's default initialization (weight and bias U(−1/√in, 1/√in)) unless `initializer` is given.
    public init(
        _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
        initializer: Initializer = .pytorchDefault, generator: inout KeelRandom
    ) {
        ensure(inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures)→\(outFeatures)")
        weight = Parameter(initializer.make([outFeatures, inFeatures], generator: &generator))
        let bound = 1 / Float(inFeatures).squareRoot()
        self.bias = bias ? Parameter(Tensor.uniform([outFeatures], low: -bound, high: bound, generator: &generator)) : nil
    }

    /// Initialized from the process-wide stream (`KeelRandom.manualSeed`), as PyTorch's `nn.Linear(in, out)`.
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, initializer: Initializer = .pytorchDefault) {
        var generator = KeelRandom(seed: KeelRandom.nextGlobalSeed())
        self.init(inFeatures, outFeatures, bias: bias, initializer: initializer, generator: &generator)
    }

    /// The input size.
    public var inFeatures: Int { weight.shape[1] }
    /// The output size.
    public var outFeatures: Int { weight.shape[0] }

    /// `weight` and `bias`, as PyTorch names them.
    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [..., in] → [..., out]: x · Wᵀ + b.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, linear(input, weight: weight.value, bias: bias?.value)) }
}
