/// Fully connected layer: y = x · Wᵀ + b. Shapes: [..., in] → [..., out]; weight [out, in], bias [out].
public final class Linear: Module {
    public let weight: Parameter
    public let bias: Parameter?
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

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, linear(input, weight: weight.value, bias: bias?.value)) }
}
