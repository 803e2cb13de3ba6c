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
                gemm(
                    transposeA: true, m: outFeatures, n: inFeatures, k: rows, a: pg, lda: outFeatures,
                    b: px, ldb: inFeatures, c: d, ldc: inFeatures)
            }
            dw = t
        }
        let db = needs.count > 2 && needs[2] ? g.reshaped([rows, outFeatures]).sum(axis: 0) : nil
        return [dx, dw, db]
    }
}
