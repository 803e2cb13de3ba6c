import CKeelKernels

/// Softmax and log-softmax along one axis, numerically stable at any finite input (the row maximum is
/// subtracted before exponentiating), with fused backward passes.
extension Tensor {
    /// log softmax(x)_i = x_i − max(x) − log Σ_j exp(x_j − max(x)); backward: dx = g − softmax · Σ g.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "logSoftmax", shape: shape)
        let (outer, length, inner) = split(at: a)
        var y = Tensor(uninitializedShape: shape)
        let src = storage.pointer
        y.withUnsafeMutablePointer { dst in
            SoftmaxKernel.rows(src, dst, outer: outer, length: length, inner: inner, log: true)
        }
        return Tensor.record(y, op: "logSoftmax", inputs: [self]) { g, _ in
            // dx = g − exp(y) · Σ_axis g
            let total = g.sum(axes: [a], keepDims: true)
            return [g - Elementwise.map(y) { keel_vexp($0, $1, $2) } * total]
        }
    }

    /// softmax(x)_i = exp(x_i − max) / Σ_j exp(x_j − max); backward: dx = y ⊙ (g − Σ g ⊙ y).
    public func softmax(axis: Int = -1) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "softmax", shape: shape)
        let (outer, length, inner) = split(at: a)
        var y = Tensor(uninitializedShape: shape)
        let src = storage.pointer
        y.withUnsafeMutablePointer { dst in
            SoftmaxKernel.rows(src, dst, outer: outer, length: length, inner: inner, log: false)
        }
        return Tensor.record(y, op: "softmax", inputs: [self]) { g, _ in
            [y * (g - (g * y).sum(axes: [a], keepDims: true))]
        }
    }
}

enum SoftmaxKernel {
    /// Softmax or log-softmax of every row along the middle axis of [outer, length, inner].
    static func rows(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, length: Int, inner: Int,
        log: Bool
    ) {
        Parallel.forRanges(outer * inner, minimumPerThread: Swift.max(1, elementwiseParallelThreshold / Swift.max(length, 1))) { r in
            ScratchPool.shared.withBuffer(count: length) { row in
                for position in r {
                    let o = position / inner
                    let i = position % inner
                    let base = o * length * inner + i
                    var maximum = -Float.infinity
                    for l in 0..<length { maximum = Swift.max(maximum, x[base + l * inner]) }
                    if maximum == -.infinity { maximum = 0 }  // all −inf: keep NaN-free arithmetic
                    for l in 0..<length { row[l] = x[base + l * inner] - maximum }
                    if log {
                        ScratchPool.shared.withBuffer(count: length) { e in
                            keel_vexp(row, e, length)
                            var total: Float = 0
                            for l in 0..<length { total += e[l] }
                            var logTotal: Float = 0
                            keel_vlog(&total, &logTotal, 1)  // Keel's log: the same bits at every level, on every libm
                            for l in 0..<length { y[base + l * inner] = row[l] - logTotal }
                        }
                    } else {
                        keel_vexp(row, row, length)
                        var total: Float = 0
                        for l in 0..<length { total += row[l] }
                        let inverse = 1 / total
                        for l in 0..<length { y[base + l * inner] = row[l] * inverse }
                    }
                }
            }
        }
    }
}
