/// Stochastic gradient descent with PyTorch's exact rule:
/// g ← ∇ + λ·w; with momentum μ: b ← g (first step) or μ·b + (1 − dampening)·g, then g ← g + μ·b (Nesterov)
/// or g ← b; finally w ← w − lr·g.
public final class SGD: Optimizer {
    /// The parameters updated, by name.
    public let parameters: NamedParameters
    /// The learning rate at each global step.
    public var schedule: any LearningRateSchedule
    /// The momentum buffers ("NAME.momentum_buffer") and per-parameter step counts.
    public let state = OptimizerState()
    public let momentum: Float, dampening: Float, weightDecay: Float
    /// Whether the Nesterov form of momentum is used.
    public let nesterov: Bool

    /// SGD over `parameters` with PyTorch's defaults (no momentum, no weight decay).
    public init(
        _ parameters: NamedParameters, learningRate: any LearningRateSchedule, momentum: Float = 0,
        dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
    ) {
        ensure(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.parameters = parameters
        schedule = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        requireParameters(parameters, "SGD")
    }

    /// SGD with a constant learning rate.
    public convenience init(
        _ parameters: NamedParameters, learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false
    ) {
        self.init(
            parameters, learningRate: ConstantLearningRate(learningRate), momentum: momentum,
            dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    /// One SGD step of one parameter (see the type's formula).
    public func update(
        name: String, values w: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        shape: [Int], learningRate lr: Float
    ) {
        let (mu, damp, lambda) = (momentum, 1 - dampening, weightDecay)
        if momentum == 0 {
            Parallel.forRanges(count, grain: 1024, minimumPerThread: optimizerParallelThreshold) { r in
                for i in r { w[i] -= lr * (gradient[i] + lambda * w[i]) }
            }
            return
        }
        let first = !state.contains(name + ".momentum_buffer")
        let buffer = state.pointer(name + ".momentum_buffer", shape: shape)
        let nesterov = self.nesterov
        Parallel.forRanges(count, grain: 1024, minimumPerThread: optimizerParallelThreshold) { r in
            // One pass over w, ∇ and b per element (they are read once); one branch-free loop per case, so each
            // vectorizes.
            switch (first, nesterov) {
            case (true, false):
                for i in r {
                    let g = gradient[i] + lambda * w[i]
                    buffer[i] = g
                    w[i] -= lr * g
                }
            case (true, true):
                for i in r {
                    let g = gradient[i] + lambda * w[i]
                    buffer[i] = g
                    w[i] -= lr * (g + mu * g)
                }
            case (false, false):
                for i in r {
                    let b = mu * buffer[i] + damp * (gradient[i] + lambda * w[i])
                    buffer[i] = b
                    w[i] -= lr * b
                }
            case (false, true):
                for i in r {
                    let g = gradient[i] + lambda * w[i]
                    let b = mu * buffer[i] + damp * g
                    buffer[i] = b
                    w[i] -= lr * (g + mu * b)
                }
            }
        }
    }
}
