/// Loss functions with PyTorch's definitions and `reduction="mean"` (the default) or "sum" / "none".
public enum Reduction: String, Sendable, Codable, CaseIterable {
    case mean, sum, none

    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}

/// Cross-entropy from logits [N, C] and class indices [N] (PyTorch's `F.cross_entropy`):
/// ℓ_n = −Σ_c q_nc · log softmax(x_n)_c, with q = (1 − ε)·onehot + ε/C for label smoothing ε.
public func crossEntropy(
    logits: Tensor, labels: [Int32], labelSmoothing: Float = 0,
    reduction: Reduction = .mean
) -> Tensor {
    ensure(logits.rank == 2, "crossEntropy: logits must be [N, C], got shape \(logits.shape)")
    ensure(
        labels.count == logits.shape[0],
        "crossEntropy: \(labels.count) labels for logits of shape \(logits.shape)")
    ensure(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: label smoothing must be in [0, 1], got \(labelSmoothing)")
    let classes = logits.shape[1]
    let targets = targetDistribution(labels, classes: classes, smoothing: labelSmoothing, op: "crossEntropy")
    return reduction.apply(-(logits.logSoftmax(axis: 1) * targets).sum(axis: 1))
}

/// Negative log-likelihood of log-probabilities [N, C] at class indices [N] (PyTorch's `F.nll_loss`).
public func nllLoss(logProbabilities: Tensor, labels: [Int32], reduction: Reduction = .mean) -> Tensor {
    ensure(logProbabilities.rank == 2, "nllLoss: input must be [N, C], got shape \(logProbabilities.shape)")
    ensure(
        labels.count == logProbabilities.shape[0],
        "nllLoss: \(labels.count) labels for input of shape \(logProbabilities.shape)")
    let targets = targetDistribution(labels, classes: logProbabilities.shape[1], smoothing: 0, op: "nllLoss")
    return reduction.apply(-(logProbabilities * targets).sum(axis: 1))
}

/// (1 − ε)·onehot(labels) + ε/C as an [N, C] tensor.
func targetDistribution(_ labels: [Int32], classes: Int, smoothing: Float, op: String) -> Tensor {
    var q = Tensor.full([labels.count, classes], smoothing / Float(classes))
    q.withUnsafeMutablePointer { p in
        for (n, label) in labels.enumerated() {
            ensure(label >= 0 && Int(label) < classes, "\(op): label \(label) is out of range for \(classes) classes")
            p[n * classes + Int(label)] += 1 - smoothing
        }
    }
    return q
}

/// Binary cross-entropy from logits (PyTorch's `F.binary_cross_entropy_with_logits`), computed stably as
/// max(x, 0) − x·t + log(1 + e^−|x|); gradient σ(x) − t.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    ensure(
        logits.shape == targets.shape,
        "binaryCrossEntropyWithLogits: logits of shape \(logits.shape) and targets of shape \(targets.shape) differ")
    var losses = Tensor(uninitializedShape: logits.shape)
    let x = logits.storage.pointer
    let t = targets.storage.pointer
    let n = logits.count
    losses.withUnsafeMutablePointer { l in
        for i in 0..<n {
            let v = x[i]
            l[i] = Swift.max(v, 0) - v * t[i] + _log1pf(_expf(-Swift.abs(v)))
        }
    }
    let recorded = Tensor.record(losses, op: "binaryCrossEntropyWithLogits", inputs: [logits, targets]) {
        [logits, targets] g, needs in
        var dx = Tensor(uninitializedShape: logits.shape)
        let pg = g.storage.pointer
        let x = logits.storage.pointer
        let t = targets.storage.pointer
        dx.withUnsafeMutablePointer { d in
            for i in 0..<n {
                let v = x[i]
                let sigmoid = v >= 0 ? 1 / (1 + _expf(-v)) : _expf(v) / (1 + _expf(v))
                d[i] = pg[i] * (sigmoid - t[i])
            }
        }
        // d/dt = −x
        return [dx, needs[1] ? -(g * logits) : nil]
    }
    return reduction.apply(recorded)
}

/// Mean squared error (PyTorch's `F.mse_loss`): mean((x − t)²).
public func meanSquaredError(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    ensure(
        input.shape == target.shape,
        "meanSquaredError: input of shape \(input.shape) and target of shape \(target.shape) differ")
    let difference = input - target
    return reduction.apply(difference * difference)
}

/// Huber loss (PyTorch's `F.huber_loss`): ½d² where |d| ≤ δ, δ(|d| − ½δ) elsewhere, d = x − t; gradient
/// clamp(d, −δ, δ). Quadratic near the target, linear far from it: outliers pull less than with the squared error.
public func huberLoss(_ input: Tensor, _ target: Tensor, delta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    ensure(input.shape == target.shape, "huberLoss: input of shape \(input.shape) and target of shape \(target.shape) differ")
    ensure(delta > 0 && delta.isFinite, "huberLoss: delta must be a positive number, got \(delta)")
    let n = input.count
    let difference = withoutGradients { input - target }
    var losses = Tensor(uninitializedShape: input.shape)
    let d = difference.storage.pointer
    losses.withUnsafeMutablePointer { l in
        for i in 0..<n {
            let a = Swift.abs(d[i])
            l[i] = a <= delta ? 0.5 * d[i] * d[i] : delta * (a - 0.5 * delta)
        }
    }
    let recorded = Tensor.record(losses, op: "huberLoss", inputs: [input, target]) { [difference] g, needs in
        var dx = Tensor(uninitializedShape: difference.shape)
        let pg = g.storage.pointer
        let d = difference.storage.pointer
        dx.withUnsafeMutablePointer { out in
            for i in 0..<n { out[i] = pg[i] * Swift.min(Swift.max(d[i], -delta), delta) }
        }
        return [dx, needs[1] ? -dx : nil]
    }
    return reduction.apply(recorded)
}
