import CKeelKernels

/// Row-major single-precision matrix product on Keel's packed SIMD kernels, split across threads:
/// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C.
///
/// `op(A)` is A (`lda` ≥ K) or Aᵀ when `transposeA` (A stored K×M, `lda` ≥ M); likewise for B.
/// The split between threads falls on the kernel's micro-tile boundaries, so the result is bit-identical
/// for any thread count. When `beta` is 0, C is not read.

public func gemm(transposeA: Bool = false, transposeB: Bool = false,
                 m: Int, n: Int, k: Int, alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                 threads: Int = Parallel.threadCount) {
    GEMM.run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
             a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
}

public enum GEMM {
    /// The micro-kernel in use, e.g. "avx512f 12x32".
    public static var kernelName: String { String(cString: keel_gemm_kernel_name()) }

    static let workspaceFloats = Int(keel_sgemm_workspace_floats())

    /// Problems smaller than this many multiply-adds run on one thread.
    static let parallelThreshold = 1 << 18

    public static func run(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        ensure(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        var mr: Int32 = 0, nr: Int32 = 0
        keel_gemm_tile(&mr, &nr)
        let work = m * n * max(k, 1)
        let useThreads = work < parallelThreshold ? 1 : max(1, threads)
        // Split the larger of M and N on micro-tile boundaries.
        let splitRows = (m + Int(mr) - 1) / Int(mr) >= (n + Int(nr) - 1) / Int(nr)
        let total = splitRows ? m : n
        let grain = splitRows ? Int(mr) : Int(nr)
        let units = (total + grain - 1) / grain
        let pieces = min(useThreads, units)
        let per = (units + pieces - 1) / pieces
        let run: (Int) -> Void = { p in
            let lower = p * per * grain
            let upper = min(total, (p + 1) * per * grain)
            if lower >= upper { return }
            ScratchPool.shared.withBuffer(count: workspaceFloats) { workspace in
                if splitRows {
                    let aStart = transposeA ? a + lower : a + lower * lda
                    keel_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, upper - lower, n, k, alpha,
                               aStart, lda, b, ldb, beta, c + lower * ldc, ldc, workspace)
                } else {
                    let bStart = transposeB ? b + lower * ldb : b + lower
                    keel_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, upper - lower, k, alpha,
                               a, lda, bStart, ldb, beta, c + lower, ldc, workspace)
                }
            }
        }
        if pieces <= 1 {
            run(0)
        } else {
            Parallel.forEach(pieces, run)
        }
    }
}

import Dispatch
