/// RMSprop with PyTorch's exact rule: g ← ∇ + λ·w; s ← α·s + (1 − α)·g²; centred: ḡ ← ḡ + (1 − α)(g − ḡ),
/// d = √(s − ḡ²) + ε, else d = √s + ε; with momentum μ: b ← μ·b + g/d, w ← w − lr·b, else w ← w − lr·g/d.
public final class RMSprop: Optimizer {
    /// The parameters updated, by name.
    public let parameters: NamedParameters
    /// The learning rate at each global step.
    public var schedule: any LearningRateSchedule
    /// s ("NAME.square_avg"), ḡ when centered, the momentum buffer, and per-parameter step counts.
    public let state = OptimizerState()
    public let alpha: Float, epsilon: Float, weightDecay: Float, momentum: Float
    /// Whether the gradient's running mean is subtracted (centered RMSprop).
    public let centered: Bool

    /// RMSprop over `parameters` with PyTorch's defaults.
    public init(
        _ parameters: NamedParameters, learningRate: any LearningRateSchedule, alpha: Float = 0.99,
        epsilon: Float = 1e-8, weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false
    ) {
        self.parameters = parameters
        schedule = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        requireParameters(parameters, "RMSprop")
    }

    /// A constant learning rate (PyTorch's default 0.01).
    public convenience init(
        _ parameters: NamedParameters, learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
        weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false
    ) {
        self.init(
            parameters, learningRate: ConstantLearningRate(learningRate), alpha: alpha, epsilon: epsilon,
            weightDecay: weightDecay, momentum: momentum, centered: centered)
    }

    /// One RMSprop step of one parameter (see the type's formula).
    public func update(
        name: String, values w: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        shape: [Int], learningRate lr: Float
    ) {
        _ = nextStep(name)
        let square = state.pointer(name + ".square_avg", shape: shape)
        let average = centered ? state.pointer(name + ".grad_avg", shape: shape) : nil
        let buffer = momentum > 0 ? state.pointer(name + ".momentum_buffer", shape: shape) : nil
        for i in 0..<count {
            let g = gradient[i] + weightDecay * w[i]
            square[i] = alpha * square[i] + (1 - alpha) * g * g
            var d: Float
            if let average {
                average[i] += (1 - alpha) * (g - average[i])
                d = (square[i] - average[i] * average[i]).squareRoot()
            } else {
                d = square[i].squareRoot()
            }
            d += epsilon
            if let buffer {
                buffer[i] = momentum * buffer[i] + g / d
                w[i] -= lr * buffer[i]
            } else {
                w[i] -= lr * (g / d)
            }
        }
    }
}
