/// Scales the gradients of `parameters` so that their global L2 norm is at most `maxNorm` — PyTorch's
/// `torch.nn.utils.clip_grad_norm_`: total = ‖(‖g₁‖, ‖g₂‖, …)‖₂ over the parameters that have a gradient; when
/// maxNorm / (total + 10⁻⁶) < 1, every gradient is multiplied by it. Returns the total norm before clipping (as
/// PyTorch does); parameters without a gradient are skipped. Norms are accumulated in double precision.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    ensure(maxNorm > 0 && maxNorm.isFinite, "clipGradientNorm: maxNorm must be a positive number, got \(maxNorm)")
    var squares = 0.0
    for parameter in parameters {
        guard let grad = parameter.grad else { continue }
        var sum = 0.0
        grad.withUnsafePointer { g in for i in 0..<grad.count { sum += Double(g[i]) * Double(g[i]) } }
        let norm = Float(sum.squareRoot())  // each parameter's norm in single precision, as PyTorch stacks them
        squares += Double(norm) * Double(norm)
    }
    let total = Float(squares.squareRoot())
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            parameter.grad = grad * coefficient
        }
    }
    return total
}
