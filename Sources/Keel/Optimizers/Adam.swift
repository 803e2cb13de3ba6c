/// Adam, AMSGrad and AdamW with PyTorch's exact rule. With t the parameter's step:
/// g ← ∇ + λ·w (Adam; AdamW instead decays w ← w·(1 − lr·λ) first); m ← m + (1 − β₁)(g − m);
/// v ← β₂·v + (1 − β₂)·g²; v̂ = max(v̂, v) with AMSGrad;
/// w ← w − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
public class Adam: Optimizer {
    /// The parameters updated, by name.
    public let parameters: NamedParameters
    /// The learning rate at each global step.
    public var schedule: any LearningRateSchedule
    /// m ("NAME.exp_avg"), v ("NAME.exp_avg_sq"), v̂ with AMSGrad, and per-parameter step counts.
    public let state = OptimizerState()
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Whether the maximum of past v is used (AMSGrad).
    public let amsgrad: Bool
    /// Decoupled weight decay (AdamW).
    public let decoupledWeightDecay: Bool

    /// Adam over `parameters` with PyTorch's defaults; `decoupledWeightDecay` makes it AdamW.
    public init(
        _ parameters: NamedParameters, learningRate: any LearningRateSchedule, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false,
        decoupledWeightDecay: Bool = false
    ) {
        ensure(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam: betas must be in [0, 1), got (\(beta1), \(beta2))")
        self.parameters = parameters
        schedule = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        requireParameters(parameters, decoupledWeightDecay ? "AdamW" : "Adam")
    }

    /// Adam with a constant learning rate (PyTorch's default 0.001).
    public convenience init(
        _ parameters: NamedParameters, learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false
    ) {
        self.init(
            parameters, learningRate: ConstantLearningRate(learningRate), beta1: beta1, beta2: beta2,
            epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// One Adam step of one parameter (see the type's formula).
    public func update(
        name: String, values w: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        shape: [Int], learningRate lr: Float
    ) {
        let t = nextStep(name)
        let m = state.pointer(name + ".exp_avg", shape: shape)
        let v = state.pointer(name + ".exp_avg_sq", shape: shape)
        let vMax = amsgrad ? state.pointer(name + ".max_exp_avg_sq", shape: shape) : nil
        let stepSize = Float(Double(lr) / (1 - _pow(Double(beta1), Double(t))))
        let correction2 = Float(_pow(1 - _pow(Double(beta2), Double(t)), 0.5))
        let decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1
        let coupled = decoupledWeightDecay ? 0 : weightDecay
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        Parallel.forRanges(count, grain: 1024, minimumPerThread: optimizerParallelThreshold) { r in
            for i in r {
                w[i] *= decay
                let g = gradient[i] + coupled * w[i]
                m[i] += (1 - b1) * (g - m[i])
                v[i] = b2 * v[i] + (1 - b2) * g * g
            }
            if let vMax {
                for i in r {
                    vMax[i] = Swift.max(vMax[i], v[i])
                    w[i] -= stepSize * (m[i] / (vMax[i].squareRoot() / correction2 + eps))
                }
            } else {
                for i in r { w[i] -= stepSize * (m[i] / (v[i].squareRoot() / correction2 + eps)) }
            }
        }
    }
}

/// AdamW: Adam with decoupled weight decay, w ← w·(1 − lr·λ) before the Adam step (default λ = 0.01, as PyTorch).
public final class AdamW: Adam {
    /// AdamW over `parameters` with PyTorch's defaults (weight decay 0.01).
    public init(
        _ parameters: NamedParameters, learningRate: any LearningRateSchedule, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false
    ) {
        super.init(
            parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, amsgrad: amsgrad, decoupledWeightDecay: true)
    }

    /// A constant learning rate (PyTorch's default 0.001).
    public convenience init(
        _ parameters: NamedParameters, learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false
    ) {
        self.init(
            parameters, learningRate: ConstantLearningRate(learningRate), beta1: beta1, beta2: beta2,
            epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }
}
