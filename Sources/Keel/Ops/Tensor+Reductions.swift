/// Reductions with autograd: sum, mean, max, min, argmax, variance, over any axes with keep-dims.
extension Tensor {
    /// The shape split around `axis` as (outer, length, inner).
    func split(at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (Shape.count(Array(shape[..<axis])), shape[axis], Shape.count(Array(shape[(axis + 1)...])))
    }

    /// Normalized, sorted, duplicate-free axes; nil means all.
    func resolveAxes(_ axes: [Int]?, op: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let resolved = axes.map { Shape.axis($0, rank: rank, op: op, shape: shape) }
        ensure(Set(resolved).count == resolved.count, "\(op): repeated axis in \(axes) for shape \(shape)")
        return resolved.sorted()
    }

    /// Shape after reducing `axes`: 1 there with `keepDims`, removed otherwise.
    func reducedShape(_ axes: [Int], keepDims: Bool) -> [Int] {
        keepDims
            ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !axes.contains($0.offset) }.map { $0.element }
    }

    /// Σ over one axis, keeping it as size 1.
    private func sumKeeping(axis: Int) -> Tensor {
        let (outer, length, inner) = split(at: axis)
        var keep = shape
        keep[axis] = 1
        var y = Tensor(uninitializedShape: keep)
        let src = storage.pointer
        y.withUnsafeMutablePointer { ReductionKernel.sum(src, outer: outer, length: length, inner: inner, into: $0) }
        let inputShape = shape
        return Tensor.record(y, op: "sum", inputs: [self]) { g, _ in [g.expanded(to: inputShape)] }
    }

    /// Σ over `axes` (all when nil). Shape: the reduced axes removed, or kept as 1 with `keepDims`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let resolved = resolveAxes(axes, op: "sum")
        var y = self
        if resolved.count == rank && rank > 0 {
            // All axes at once: one contiguous reduction.
            y = reshaped([count, 1]).sumKeeping(axis: 0)
        } else {
            for axis in resolved { y = y.sumKeeping(axis: axis) }
        }
        return y.reshaped(reducedShape(resolved, keepDims: keepDims))
    }

    /// The sum along one axis (see `sum(axes:keepDims:)`).
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Arithmetic mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let resolved = resolveAxes(axes, op: "mean")
        let n = resolved.reduce(1) { $0 * shape[$1] }
        return sum(axes: resolved, keepDims: keepDims) / Float(n)
    }

    /// The mean along one axis (see `mean(axes:keepDims:)`).
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Variance Σ(x − mean)² / (n − correction) over `axes` (all when nil); `correction` 1 is the unbiased
    /// estimate (PyTorch's default), 0 the population variance.
    public func variance(axes: [Int]? = nil, correction: Int = 1, keepDims: Bool = false) -> Tensor {
        let resolved = resolveAxes(axes, op: "variance")
        let n = resolved.reduce(1) { $0 * shape[$1] }
        let centred = self - mean(axes: resolved, keepDims: true)
        return (centred * centred).sum(axes: resolved, keepDims: keepDims) / Float(Swift.max(n - correction, 0))
    }

    /// Maximum over one axis and the index of its first occurrence.
    private func maxKeeping(axis: Int) -> (values: Tensor, indices: [Int32]) {
        let (outer, length, inner) = split(at: axis)
        ensure(length > 0, "max: cannot reduce the empty axis \(axis) of shape \(shape)")
        var keep = shape
        keep[axis] = 1
        var y = Tensor(uninitializedShape: keep)
        var indices = [Int32](repeating: 0, count: outer * inner)
        let src = storage.pointer
        y.withUnsafeMutablePointer { out in
            indices.withUnsafeMutableBufferPointer {
                ReductionKernel.maximum(src, outer: outer, length: length, inner: inner, into: out, indices: $0.baseAddress!)
            }
        }
        let inputShape = shape
        let values = Tensor.record(y, op: "max", inputs: [self]) { g, _ in
            // The gradient goes to the first maximal element of each reduced row.
            var dx = Tensor.zeros(inputShape)
            let pg = g.storage.pointer
            dx.withUnsafeMutablePointer { d in
                for position in 0..<(outer * inner) {
                    let o = position / inner
                    let i = position % inner
                    d[(o * length + Int(indices[position])) * inner + i] += pg[position]
                }
            }
            return [dx]
        }
        return (values, indices)
    }

    /// Maximum over `axes` (all when nil); the gradient flows to the first maximal element.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let resolved = resolveAxes(axes, op: "max")
        var y = self
        if resolved.count == rank && rank > 0 {
            y = reshaped([count, 1]).maxKeeping(axis: 0).values
        } else {
            for axis in resolved { y = y.maxKeeping(axis: axis).values }
        }
        return y.reshaped(reducedShape(resolved, keepDims: keepDims))
    }

    /// The maximum along one axis (see `max(axes:keepDims:)`).
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// Minimum over `axes` (all when nil).
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { -(-self).max(axes: axes, keepDims: keepDims) }

    /// Index of the first maximum along `axis`, as a tensor of the reduced shape (no gradient).
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "argmax", shape: shape)
        let indices = detached().maxKeeping(axis: a).indices
        return Tensor(shape: reducedShape([a], keepDims: keepDims), scalars: indices.map { Float($0) })
    }

    /// Sums a broadcast gradient back to `target` (the inverse of broadcasting `target` to this shape).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        ensure(offset >= 0, "sum(toShape:): cannot reduce shape \(shape) to \(target)")
        var axes = Array(0..<offset)
        for (i, d) in target.enumerated() where d == 1 && shape[offset + i] != 1 { axes.append(offset + i) }
        for (i, d) in target.enumerated() {
            ensure(d == shape[offset + i] || d == 1, "sum(toShape:): cannot reduce shape \(shape) to \(target)")
        }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// This tensor broadcast (copied) to `target`, NumPy rules; the gradient is summed back.
    public func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let full = Shape.broadcast(shape, target, op: "expanded(to:)")
        ensure(full == target, "expanded(to:): shape \(shape) cannot be broadcast to \(target)")
        var y = Tensor(uninitializedShape: target)
        let plan = BroadcastPlan(
            shape: target, Shape.broadcastStrides(shape, to: target),
            [Int](repeating: 0, count: target.count))
        let src = storage.pointer
        let n = y.count
        y.withUnsafeMutablePointer { dst in
            Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                plan.forEachRun(in: r) { start, length, offset, _ in
                    let s = plan.innerStrideA
                    if s == 0 {
                        (dst + start).update(repeating: src[offset], count: length)
                    } else {
                        for j in 0..<length { dst[start + j] = src[offset + j * s] }
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.record(y, op: "expand", inputs: [self]) { g, _ in [g.sum(toShape: inputShape)] }
    }
}
