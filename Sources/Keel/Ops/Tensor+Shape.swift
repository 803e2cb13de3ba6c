/// Shape manipulation with autograd: reshape, permute/transpose, slices, row gathering, concatenation.
extension Tensor {
    /// The same elements with a new shape (one dimension may be −1: inferred). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            ensure(
                known > 0 && count % known == 0,
                "reshape: cannot reshape shape \(shape) (\(count) elements) to \(newShape)")
            resolved[hole] = count / known
        }
        Shape.validate(resolved, op: "reshape")
        ensure(
            Shape.count(resolved) == count,
            "reshape: cannot reshape shape \(shape) (\(count) elements) to \(newShape)")
        if resolved == shape { return self }
        let inputShape = shape
        return Tensor.record(Tensor(storage: storage, shape: resolved), op: "reshape", inputs: [self]) { g, _ in
            [g.reshaped(inputShape)]
        }
    }

    /// Flattens all axes from `startAxis` on into one (PyTorch's `flatten(start_dim)`). The default, 0, flattens
    /// everything, the batch axis too ([N, C, H, W] → [N·C·H·W], as `torch.flatten(x)`); before a `Linear` layer
    /// use `flattened(from: 1)` ([N, C, H, W] → [N, C·H·W]) or the `Flatten()` layer, which starts at 1.
    public func flattened(from startAxis: Int = 0) -> Tensor {
        let a = Shape.axis(startAxis, rank: rank, op: "flattened", shape: shape)
        return reshaped(Array(shape[..<a]) + [-1])
    }

    /// Reorders the axes: result axis i is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        ensure(
            axes.count == rank && Set(axes) == Set(0..<rank),
            "permute: \(axes) is not a permutation of the axes of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        let outShape = axes.map { shape[$0] }
        let inStrides = Shape.strides(shape)
        let plan = BroadcastPlan(shape: outShape, axes.map { inStrides[$0] }, [Int](repeating: 0, count: rank))
        var y = Tensor(uninitializedShape: outShape)
        let src = storage.pointer
        let n = count
        y.withUnsafeMutablePointer { dst in
            Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                plan.forEachRun(in: r) { start, length, offset, _ in
                    let s = plan.innerStrideA
                    for j in 0..<length { dst[start + j] = src[offset + j * s] }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return Tensor.record(y, op: "permute", inputs: [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Swaps two axes (default: the last two, i.e. the matrix transpose).
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        ensure(rank >= 2, "transpose: needs at least 2 dimensions, got shape \(shape)")
        let a = Shape.axis(first, rank: rank, op: "transpose", shape: shape)
        let b = Shape.axis(second, rank: rank, op: "transpose", shape: shape)
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return permuted(axes)
    }

    /// Elements `range` along `axis` (a copy; the gradient is scattered back into zeros).
    public func slice(axis: Int = 0, _ range: Range<Int>) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice", shape: shape)
        ensure(
            range.lowerBound >= 0 && range.upperBound <= shape[a],
            "slice: range \(range) is out of bounds for axis \(a) of shape \(shape)")
        let (outer, length, inner) = split(at: a)
        var outShape = shape
        outShape[a] = range.count
        var y = Tensor(uninitializedShape: outShape)
        let src = storage.pointer
        let block = range.count * inner
        y.withUnsafeMutablePointer { dst in
            for o in 0..<outer {
                (dst + o * block).update(from: src + (o * length + range.lowerBound) * inner, count: block)
            }
        }
        let inputShape = shape
        return Tensor.record(y, op: "slice", inputs: [self]) { g, _ in
            var dx = Tensor.zeros(inputShape)
            let pg = g.storage.pointer
            dx.withUnsafeMutablePointer { d in
                for o in 0..<outer {
                    (d + (o * length + range.lowerBound) * inner).update(from: pg + o * block, count: block)
                }
            }
            return [dx]
        }
    }

    /// Rows `range` along the first axis (a batch).
    public subscript(rows range: Range<Int>) -> Tensor { slice(axis: 0, range) }

    /// Rows picked by index along the first axis (repeats allowed); the gradient is scatter-added.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        ensure(rank >= 1, "gatherRows: needs at least 1 dimension, got shape \(shape)")
        let rows = shape[0]
        let inner = rows == 0 ? 0 : count / rows
        for i in indices {
            ensure(i >= 0 && i < rows, "gatherRows: index \(i) is out of range for shape \(shape)")
        }
        var outShape = shape
        outShape[0] = indices.count
        var y = Tensor(uninitializedShape: outShape)
        let src = storage.pointer
        y.withUnsafeMutablePointer { dst in
            for (r, i) in indices.enumerated() { (dst + r * inner).update(from: src + i * inner, count: inner) }
        }
        let inputShape = shape
        return Tensor.record(y, op: "gatherRows", inputs: [self]) { g, _ in
            var dx = Tensor.zeros(inputShape)
            let pg = g.storage.pointer
            dx.withUnsafeMutablePointer { d in
                for (r, i) in indices.enumerated() {
                    let row = d + i * inner
                    let grad = pg + r * inner
                    for j in 0..<inner { row[j] += grad[j] }
                }
            }
            return [dx]
        }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        ensure(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let a = Shape.axis(axis, rank: first.rank, op: "concatenate", shape: first.shape)
        for t in tensors {
            ensure(
                t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(a)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let outer = Shape.count(Array(first.shape[..<a]))
        let inner = Shape.count(Array(first.shape[(a + 1)...]))
        let outBlock = outShape[a] * inner
        var y = Tensor(uninitializedShape: outShape)
        y.withUnsafeMutablePointer { dst in
            var offset = 0
            for t in tensors {
                let block = t.shape[a] * inner
                let src = t.storage.pointer
                for o in 0..<outer { (dst + o * outBlock + offset).update(from: src + o * block, count: block) }
                offset += block
            }
        }
        let sizes = tensors.map { $0.shape[a] }
        return record(y, op: "concatenate", inputs: tensors) { g, needs in
            var start = 0
            return sizes.enumerated().map { i, size in
                defer { start += size }
                return needs[i] ? g.slice(axis: a, start..<(start + size)) : nil
            }
        }
    }
}
