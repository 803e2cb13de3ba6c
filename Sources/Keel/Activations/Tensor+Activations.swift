/// Activation functions on tensors, with autograd (fused kernels: one pass forward, one pass backward).
extension Tensor {
    /// f(x) element-wise for any `Activation`; the backward pass computes g ⊙ f′(x) in one kernel.
    public func activation(_ f: Activation) -> Tensor {
        let y = f.apply(to: self)
        return Tensor.record(y, op: f.name, inputs: [self]) { [self] g, _ in [f.backward(x: self, y: y, gradient: g)] }
    }

    /// σ(x) = 1 / (1 + e⁻ˣ), element-wise, in (0, 1).
    public func sigmoid() -> Tensor { activation(.sigmoid) }
    /// tanh(x), element-wise, in (−1, 1).
    public func tanh() -> Tensor { activation(.tanh) }
    /// x for x ≥ 0, negativeSlope · x otherwise.
    public func leakyReLU(negativeSlope: Float = 0.01) -> Tensor { activation(.leakyReLU(negativeSlope: negativeSlope)) }
    /// ln(1 + e^(βx)) / β, linear where βx > threshold (PyTorch's rule).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor { activation(.softplus(beta: beta, threshold: threshold)) }
    /// x for x > 0, α(eˣ − 1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor { activation(.elu(alpha: alpha)) }
    /// λ · ELU(x; α) with λ ≈ 1.0507, α ≈ 1.6733 (self-normalizing).
    public func selu() -> Tensor { activation(.selu) }
    /// max(0, x) + min(0, α(e^(x/α) − 1)).
    public func celu(alpha: Float = 1) -> Tensor { activation(.celu(alpha: alpha)) }
    /// GELU, exact (erf) or with the tanh approximation.
    public func gelu(approximateTanh: Bool = false) -> Tensor { activation(approximateTanh ? .geluTanh : .gelu) }
    /// x · σ(x) (swish).
    public func silu() -> Tensor { activation(.silu) }
    /// x · tanh(softplus(x)).
    public func mish() -> Tensor { activation(.mish) }
    /// ReLU6(x + 3) / 6, in [0, 1].
    public func hardSigmoid() -> Tensor { activation(.hardSigmoid) }
    /// x · ReLU6(x + 3) / 6.
    public func hardSwish() -> Tensor { activation(.hardSwish) }
    /// min(max(0, x), 6).
    public func relu6() -> Tensor { activation(.relu6) }
    /// x / (1 + |x|), in (−1, 1).
    public func softsign() -> Tensor { activation(.softsign) }
    /// ln σ(x) = −softplus(−x), computed without overflow.
    public func logSigmoid() -> Tensor { activation(.logSigmoid) }

    /// PReLU: max(0, x) + a·min(0, x) with a learnable slope `a` of shape [1] or [C] (C = axis-1 size).
    public func prelu(_ slope: Tensor) -> Tensor {
        ensure(
            slope.rank == 1 && (slope.count == 1 || (rank >= 2 && slope.count == shape[1])),
            "prelu: slope of shape \(slope.shape) does not fit input of shape \(shape)")
        var slopeShape = [Int](repeating: 1, count: Swift.max(rank, 1))
        if slope.count > 1 { slopeShape[1] = slope.count }
        let zero = Tensor(0)
        return maximum(self, zero) + slope.reshaped(slopeShape) * minimum(self, zero)
    }
}
