/// Matrix product with autograd on Keel's GEMM.
///
/// Shapes: [M, K] · [K, N] → [M, N]; batched [..., M, K] · [..., K, N] → [..., M, N] with the batch
/// dimensions broadcast (NumPy rules); [..., M, K] · [K, N] treats all leading rows as one matrix.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    ensure(
        a.rank >= 2 && b.rank >= 2,
        "matmul: needs matrices (rank ≥ 2), got shapes \(a.shape) and \(b.shape)")
    let k = a.shape[a.rank - 1]
    ensure(
        b.shape[b.rank - 2] == k,
        "matmul: shapes \(a.shape) and \(b.shape) are not aligned (\(k) ≠ \(b.shape[b.rank - 2]))")
    let n = b.shape[b.rank - 1]
    if b.rank == 2 {
        let rows = k == 0 ? Shape.count(Array(a.shape.dropLast())) : a.count / k
        let y = MatrixProduct.batched(
            a, false, b, false, batch: 1, m: rows, n: n, k: k,
            shape: Array(a.shape.dropLast()) + [n])
        return Tensor.record(y, op: "matmul", inputs: [a, b]) { g, needs in
            [
                needs[0] ? MatrixProduct.batched(g, false, b, true, batch: 1, m: rows, n: k, k: n, shape: a.shape) : nil,
                needs[1] ? MatrixProduct.batched(a, true, g, false, batch: 1, m: k, n: n, k: rows, shape: b.shape) : nil,
            ]
        }
    }
    let m = a.shape[a.rank - 2]
    let batchShape = Shape.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
    let ae = a.expanded(to: batchShape + [m, k])
    let be = b.expanded(to: batchShape + [k, n])
    let batch = Shape.count(batchShape)
    let y = MatrixProduct.batched(ae, false, be, false, batch: batch, m: m, n: n, k: k, shape: batchShape + [m, n])
    return Tensor.record(y, op: "matmul", inputs: [ae, be]) { g, needs in
        [
            needs[0] ? MatrixProduct.batched(g, false, be, true, batch: batch, m: m, n: k, k: n, shape: ae.shape) : nil,
            needs[1] ? MatrixProduct.batched(ae, true, g, false, batch: batch, m: k, n: n, k: m, shape: be.shape) : nil,
        ]
    }
}

extension Tensor {
    /// Matrix product (see `matmul(_:_:)`).
    public func matmul(_ other: Tensor) -> Tensor { Keel.matmul(self, other) }
}

enum MatrixProduct {
    /// C_i = op(A_i) · op(B_i) for i in 0..<batch, with A and B contiguous per batch item (B shared when it
    /// has only one matrix's elements). No recording.
    static func batched(
        _ a: Tensor, _ transposeA: Bool, _ b: Tensor, _ transposeB: Bool,
        batch: Int, m: Int, n: Int, k: Int, shape: [Int]
    ) -> Tensor {
        var c = Tensor(uninitializedShape: shape)
        let pa = a.storage.pointer
        let pb = b.storage.pointer
        let strideA = m * k
        let strideB = b.count == k * n ? 0 : k * n
        let strideC = m * n
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        c.withUnsafeMutablePointer { pc in
            if batch > 1 && m * n * max(k, 1) < GEMM.parallelThreshold {
                Parallel.forEach(batch) { i in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        a: pa + i * strideA, lda: lda, b: pb + i * strideB, ldb: ldb,
                        c: pc + i * strideC, ldc: n, threads: 1)
                }
            } else {
                for i in 0..<batch {
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        a: pa + i * strideA, lda: lda, b: pb + i * strideB, ldb: ldb,
                        c: pc + i * strideC, ldc: n)
                }
            }
        }
        return c
    }
}
