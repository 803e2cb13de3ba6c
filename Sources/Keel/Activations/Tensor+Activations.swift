/// Activation functions on tensors, with autograd (fused kernels: one pass forward, one pass backward).
extension Tensor {
    /// f(x) element-wise for any `Activation`; the backward pass computes g ⊙ f′(x) in one kernel.
    public func activation(_ f: Activation) -> Tensor {
        let y = f.apply(to: self)
        return Tensor.record(y, op: f.name, inputs: [self]) { [self] g, _ in [f.backward(x: self, y: y, gradient: g)] }
    }

    public func sigmoid() -> Tensor { activation(.sigmoid) }
    public func tanh() -> Tensor { activation(.tanh) }
    public func leakyReLU(negativeSlope: Float = 0.01) -> Tensor { activation(.leakyReLU(negativeSlope: negativeSlope)) }
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor { activation(.softplus(beta: beta, threshold: threshold)) }
    public func elu(alpha: Float = 1) -> Tensor { activation(.elu(alpha: alpha)) }
    public func selu() -> Tensor { activation(.selu) }
    public func celu(alpha: Float = 1) -> Tensor { activation(.celu(alpha: alpha)) }
    /// GELU, exact (erf) or with the tanh approximation.
    public func gelu(approximateTanh: Bool = false) -> Tensor { activation(approximateTanh ? .geluTanh : .gelu) }
    public func silu() -> Tensor { activation(.silu) }
    public func mish() -> Tensor { activation(.mish) }
    public func hardSigmoid() -> Tensor { activation(.hardSigmoid) }
    public func hardSwish() -> Tensor { activation(.hardSwish) }
    public func relu6() -> Tensor { activation(.relu6) }
    public func softsign() -> Tensor { activation(.softsign) }
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
