import CKeelKernels

/// Reduction kernels along one axis of a contiguous tensor viewed as [outer, length, inner].
///
/// Work is cut into pieces that depend only on the shape, and partial sums are added in a fixed order,
/// so results are bit-identical at any thread count.
enum ReductionKernel {
    /// Elements per partial sum in a long contiguous reduction.
    static let chunk = 16384

    /// Σ of `n` contiguous floats (SIMD kernel; a fixed order for a given n).
    @inline(__always)
    static func sumContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float { keel_vsum(p, n) }

    /// out[o, i] = Σ_l x[o, l, i].
    static func sum(_ x: UnsafePointer<Float>, outer: Int, length: Int, inner: Int, into out: UnsafeMutablePointer<Float>) {
        if length == 0 {
            out.update(repeating: 0, count: outer * inner)
            return
        }
        if inner == 1 && outer == 1 {
            // One long row: fixed chunks summed in parallel, then combined in order.
            let pieces = (length + chunk - 1) / chunk
            if pieces <= 1 {
                out[0] = sumContiguous(x, length)
                return
            }
            ScratchPool.shared.withBuffer(count: pieces) { partial in
                Parallel.forRanges(pieces, minimumPerThread: 4) { r in
                    for p in r { partial[p] = sumContiguous(x + p * chunk, min(chunk, length - p * chunk)) }
                }
                var total: Float = 0
                for p in 0..<pieces { total += partial[p] }
                out[0] = total
            }
            return
        }
        if inner == 1 {
            Parallel.forRanges(outer, minimumPerThread: Swift.max(1, elementwiseParallelThreshold / Swift.max(length, 1))) { r in
                for o in r { out[o] = sumContiguous(x + o * length, length) }
            }
            return
        }
        // Sum whole rows of `inner` floats: vectorizes along the inner axis.
        let total = outer * inner
        Parallel.forRanges(
            total, grain: inner >= 256 ? 256 : inner,
            minimumPerThread: Swift.max(1, elementwiseParallelThreshold / Swift.max(length, 1))
        ) { r in
            var position = r.lowerBound
            while position < r.upperBound {
                let o = position / inner
                let i0 = position % inner
                let run = min(inner - i0, r.upperBound - position)
                let dst = out + position
                let src = x + o * length * inner + i0
                for j in 0..<run { dst[j] = src[j] }
                for l in 1..<length {
                    let row = src + l * inner
                    for j in 0..<run { dst[j] += row[j] }
                }
                position += run
            }
        }
    }

    /// out[o, i] = max_l x[o, l, i] and the first l attaining it (NaN wins, as in PyTorch).
    static func maximum(
        _ x: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
        into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>
    ) {
        Parallel.forRanges(outer * inner, minimumPerThread: Swift.max(1, elementwiseParallelThreshold / Swift.max(length, 1))) { r in
            for position in r {
                let o = position / inner
                let i = position % inner
                let src = x + o * length * inner + i
                var best = src[0]
                var bestIndex = 0
                if !best.isNaN {
                    for l in 1..<length {
                        let v = src[l * inner]
                        if v > best || v.isNaN {
                            best = v
                            bestIndex = l
                            if v.isNaN { break }
                        }
                    }
                }
                out[position] = best
                indices[position] = Int32(bestIndex)
            }
        }
    }
}
