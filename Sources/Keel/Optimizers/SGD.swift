/// Stochastic gradient descent with PyTorch's exact rule:
/// g ← ∇ + λ·w; with momentum μ: b ← g (first step) or μ·b + (1 − dampening)·g, then g ← g + μ·b (Nesterov)
/// or g ← b; finally w ← w − lr·g.
public final class SGD: Optimizer {
    public let parameters: NamedParameters
    public var schedule: any LearningRateSchedule
    public let state = OptimizerState()
    public let momentum: Float, dampening: Float, weightDecay: Float
    public let nesterov: Bool

    public init(_ parameters: NamedParameters, learningRate: any LearningRateSchedule, momentum: Float = 0,
                dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        ensure(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.parameters = parameters
        schedule = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public convenience init(_ parameters: NamedParameters, learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                            weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(parameters, learningRate: ConstantLearningRate(learningRate), momentum: momentum,
                  dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    public func update(name: String, values w: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
                       shape: [Int], learningRate lr: Float) {
        if momentum == 0 {
            for i in 0..<count { w[i] -= lr * (gradient[i] + weightDecay * w[i]) }
            return
        }
        let first = !state.contains(name + ".momentum_buffer")
        let buffer = state.pointer(name + ".momentum_buffer", shape: shape)
        for i in 0..<count {
            let g = gradient[i] + weightDecay * w[i]
            buffer[i] = first ? g : momentum * buffer[i] + (1 - dampening) * g
            w[i] -= lr * (nesterov ? g + momentum * buffer[i] : buffer[i])
        }
    }
}
