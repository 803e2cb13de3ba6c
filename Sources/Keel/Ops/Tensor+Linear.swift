/// The affine map of a fully connected layer, y = x · Wᵀ + b, with autograd (PyTorch's `F.linear`).
///
/// Shapes: x [..., in], weight [out, in], bias [out] → [..., out]. Wᵀ is never materialized: the GEMM
/// reads W transposed.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    ensure(weight.rank == 2, "linear: weight must be [out, in], got shape \(weight.shape)")
    ensure(
        input.rank >= 1 && input.shape[input.rank - 1] == weight.shape[1],
        "linear: input of shape \(input.shape) does not match weight of shape \(weight.shape) " + "(expected last dimension \(weight.shape[1]))")
    if let bias {
        ensure(
            bias.shape == [weight.shape[0]],
            "linear: bias of shape \(bias.shape) does not match weight of shape \(weight.shape)")
    }
    let inFeatures = weight.shape[1]
    let outFeatures = weight.shape[0]
    let rows = inFeatures == 0 ? Shape.count(Array(input.shape.dropLast())) : input.count / inFeatures
    var y = Tensor(uninitializedShape: Array(input.shape.dropLast()) + [outFeatures])
    let px = input.storage.pointer
    let pw = weight.storage.pointer
    y.withUnsafeMutablePointer { py in
        if let bias {
            // Start from the broadcast bias and accumulate the product onto it (beta = 1).
            let pb = bias.storage.pointer
            for r in 0..<rows { (py + r * outFeatures).update(from: pb, count: outFeatures) }
        }
        gemm(
            transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: px, lda: inFeatures,
            b: pw, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: py, ldc: outFeatures)
    }
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    // Batch shards: the weight and bias gradients are summed shard by shard, then by the tree (`BatchShards`).
    let shards = input.rank >= 2 ? BatchShards.current(batch: input.shape[0]).flatMap { $0.ranges.count > 1 ? $0 : nil } : nil
    let rowsPerSample = input.rank >= 2 && input.shape[0] > 0 ? rows / input.shape[0] : 1
    return Tensor.record(y, op: "linear", inputs: inputs) { [input, weight] g, needs in
        // Pointers are taken from the captured tensors, which keep their buffers alive.
        let pg = g.storage.pointer
        let px = input.storage.pointer
        let pw = weight.storage.pointer
        var dx: Tensor?
        var dw: Tensor?
        if needs[0] {
            var t = Tensor(uninitializedShape: input.shape)
            t.withUnsafeMutablePointer { d in
                gemm(
                    m: rows, n: inFeatures, k: outFeatures, a: pg, lda: outFeatures, b: pw, ldb: inFeatures,
                    c: d, ldc: inFeatures)
            }
            dx = t
        }
        if needs[1] {
            var t = Tensor(uninitializedShape: weight.shape)
            t.withUnsafeMutablePointer { d in
                func partial(_ samples: Range<Int>, _ c: UnsafeMutablePointer<Float>) {
                    let first = samples.lowerBound * rowsPerSample
                    gemm(
                        transposeA: true, m: outFeatures, n: inFeatures, k: samples.count * rowsPerSample, a: pg + first * outFeatures,
                        lda: outFeatures, b: px + first * inFeatures, ldb: inFeatures, c: c, ldc: inFeatures)
                }
                if let shards { shards.sum(count: outFeatures * inFeatures, into: d, partial) } else { partial(0..<(rows / rowsPerSample), d) }
            }
            dw = t
        }
        var db: Tensor?
        if needs.count > 2 && needs[2] {
            let rowGradient = g.reshaped([rows, outFeatures])
            if let shards {
                var t = Tensor(uninitializedShape: [outFeatures])
                t.withUnsafeMutablePointer { d in
                    shards.sum(count: outFeatures, into: d) { samples, c in
                        let part = rowGradient.slice(axis: 0, (samples.lowerBound * rowsPerSample)..<(samples.upperBound * rowsPerSample))
                        part.sum(axis: 0).withUnsafePointer { c.update(from: $0, count: outFeatures) }
                    }
                }
                db = t
            } else {
                db = rowGradient.sum(axis: 0)
            }
        }
        return [dx, dw, db]
    }
}
