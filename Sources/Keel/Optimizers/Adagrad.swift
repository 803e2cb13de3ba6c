/// Adagrad with PyTorch's exact rule: g ← ∇ + λ·w; clr = lr / (1 + (t − 1)·lr_decay); Σ ← Σ + g²;
/// w ← w − clr · g / (√Σ + ε). Σ starts at `initialAccumulator`.
public final class Adagrad: Optimizer {
    /// The parameters updated, by name.
    public let parameters: NamedParameters
    /// The learning rate at each global step.
    public var schedule: any LearningRateSchedule
    /// Σ g² per parameter ("NAME.sum") and per-parameter step counts.
    public let state = OptimizerState()
    public let learningRateDecay: Float, weightDecay: Float, initialAccumulator: Float, epsilon: Float

    /// Adagrad over `parameters` with PyTorch's defaults.
    public init(
        _ parameters: NamedParameters, learningRate: any LearningRateSchedule, learningRateDecay: Float = 0,
        weightDecay: Float = 0, initialAccumulator: Float = 0, epsilon: Float = 1e-10
    ) {
        self.parameters = parameters
        schedule = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        requireParameters(parameters, "Adagrad")
    }

    /// A constant learning rate (PyTorch's default 0.01).
    public convenience init(
        _ parameters: NamedParameters, learningRate: Float = 0.01, learningRateDecay: Float = 0,
        weightDecay: Float = 0, initialAccumulator: Float = 0, epsilon: Float = 1e-10
    ) {
        self.init(
            parameters, learningRate: ConstantLearningRate(learningRate), learningRateDecay: learningRateDecay,
            weightDecay: weightDecay, initialAccumulator: initialAccumulator, epsilon: epsilon)
    }

    /// One Adagrad step of one parameter (see the type's formula).
    public func update(
        name: String, values w: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        shape: [Int], learningRate lr: Float
    ) {
        let t = nextStep(name)
        let sum = state.pointer(name + ".sum", shape: shape, initial: initialAccumulator)
        let clr = lr / (1 + Float(t - 1) * learningRateDecay)
        for i in 0..<count {
            let g = gradient[i] + weightDecay * w[i]
            sum[i] += g * g
            w[i] -= clr * (g / (sum[i].squareRoot() + epsilon))
        }
    }
}
