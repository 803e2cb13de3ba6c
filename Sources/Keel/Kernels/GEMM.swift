import CKeelKernels
import Synchronization

/// Row-major single-precision matrix product on Keel's packed SIMD kernels, split across threads:
/// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C.
///
/// `op(A)` is A (`lda` ≥ K) or Aᵀ when `transposeA` (A stored K×M, `lda` ≥ M); likewise for B.
/// The split between threads falls on the kernel's micro-tile boundaries, so the result is bit-identical
/// for any thread count (one fixed FMA chain per element, at every kernel level). When `beta` is 0, C is not read.
public func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int = Parallel.threadCount
) {
    GEMM.run(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
}

/// Keel's matrix product: the threaded drivers over the C micro-kernels.
public enum GEMM {
    /// The micro-kernel in use, e.g. "avx512f 12x32".
    public static var kernelName: String { String(cString: keel_gemm_kernel_name()) }

    static let workspaceFloats = Int(keel_sgemm_workspace_floats())

    /// Problems smaller than this many multiply-adds run on one thread.
    static let parallelThreshold = 1 << 18
    /// From this many multiply-adds on, threads share one packed copy of B and take A's blocks as they come
    /// (no thread waits for a slower one); below it, C is split once between threads, each packing its own.
    static let sharedPackingThreshold = 1 << 24

    /// C ← α · op(A) · op(B) + β · C with leading dimensions `lda`, `ldb`, `ldc` (see `gemm`).
    public static func run(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        ensure(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        let work = m * n * max(k, 1)
        let useThreads = work < parallelThreshold ? 1 : max(1, threads)
        if useThreads > 1 && k > 0 && alpha != 0 && min(m, n) <= 1024 && min(m, n) * k <= 1 << 22 {
            runSmallSide(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if useThreads > 1 && work >= sharedPackingThreshold && k > 0 && alpha != 0 {
            runShared(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        var mr: Int32 = 0
        var nr: Int32 = 0
        keel_gemm_tile(&mr, &nr)
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
                    keel_sgemm(
                        transposeA ? 1 : 0, transposeB ? 1 : 0, upper - lower, n, k, alpha,
                        aStart, lda, b, ldb, beta, c + lower * ldc, ldc, workspace)
                } else {
                    let bStart = transposeB ? b + lower * ldb : b + lower
                    keel_sgemm(
                        transposeA ? 1 : 0, transposeB ? 1 : 0, m, upper - lower, k, alpha,
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

    /// The threaded driver when one side is small (a batch of 64 rows, say): that operand is packed once,
    /// whole, and units of the other side are shared out (each thread first takes its own contiguous block,
    /// then helps the others), each packing its own slice and running through every depth block in order. No
    /// thread waits for a slower one until the end.
    private static func runSmallSide(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var mr: Int32 = 0
        var nr: Int32 = 0
        var kcMax = 0
        var mcMax = 0
        var ncMax = 0
        keel_gemm_blocking(&mr, &nr, &kcMax, &mcMax, &ncMax)
        let (mrI, nrI) = (Int(mr), Int(nr))
        if beta != 0 && beta != 1 {
            Parallel.forRanges(m, minimumPerThread: 16) { r in keel_gemm_scale(r.count, n, beta, c + r.lowerBound * ldc, ldc) }
        }
        let depthBlocks = (k + kcMax - 1) / kcMax
        // Packing in about 4 pieces per thread; compute in about 8 units per thread, so that the last unit
        // taken leaves little for the other threads to wait for.
        let piecesWanted = 4 * Parallel.threadCount
        let unitsWanted = 8 * Parallel.threadCount
        // Depth block d of the whole-packed side starts at d · (padded side) · kcMax.
        func depth(_ d: Int) -> (pc: Int, kc: Int, accumulate: Int32) {
            let pc = d * kcMax
            return (pc, min(kcMax, k - pc), pc > 0 || beta != 0 ? 1 : 0)
        }
        if m <= n {
            let rows = (m + mrI - 1) / mrI * mrI
            ScratchPool.shared.withBuffer(count: depthBlocks * rows * kcMax) { packedA in
                // Packed in pieces of (depth block, row panels), then the units; one job, the pieces first.
                let tiles = rows / mrI
                let tilesPerPiece = max(1, (tiles * depthBlocks + piecesWanted - 1) / piecesWanted)
                let pieces = (tiles + tilesPerPiece - 1) / tilesPerPiece
                let panels = (n + nrI - 1) / nrI
                let perUnit = max(1, (panels + unitsWanted - 1) / unitsWanted)
                PackThenCompute.run(packs: depthBlocks * pieces, units: (panels + perUnit - 1) / perUnit) { piece in
                    let (pc, kc, _) = depth(piece / pieces)
                    let i0 = (piece % pieces) * tilesPerPiece * mrI
                    let i1 = min(m, i0 + tilesPerPiece * mrI)
                    keel_pack_a(
                        transposeA ? 1 : 0, transposeA ? a + pc * lda + i0 : a + i0 * lda + pc, lda, i1 - i0, kc, mr,
                        alpha, packedA + (piece / pieces) * rows * kcMax + i0 * kc)
                } compute: { u in
                    let j0 = u * perUnit * nrI
                    let j1 = min(n, j0 + perUnit * nrI)
                    ScratchPool.shared.withBuffer(count: perUnit * nrI * kcMax) { packedB in
                        for d in 0..<depthBlocks {
                            let (pc, kc, accumulate) = depth(d)
                            keel_pack_b(
                                transposeB ? 1 : 0, transposeB ? b + j0 * ldb + pc : b + pc * ldb + j0, ldb, kc, j1 - j0,
                                nr, packedB)
                            // A's rows in blocks of MC, so each stays in L2 while B's micro-panels pass.
                            for ic in stride(from: 0, to: m, by: mcMax) {
                                keel_gemm_block(
                                    min(mcMax, m - ic), j1 - j0, kc, packedA + d * rows * kcMax + ic * kc, packedB,
                                    c + ic * ldc + j0, ldc, accumulate)
                            }
                        }
                    }
                }
            }
        } else {
            let columns = (n + nrI - 1) / nrI * nrI
            ScratchPool.shared.withBuffer(count: depthBlocks * columns * kcMax) { packedB in
                let panels = columns / nrI
                let panelsPerPiece = max(1, (panels * depthBlocks + piecesWanted - 1) / piecesWanted)
                let pieces = (panels + panelsPerPiece - 1) / panelsPerPiece
                let tiles = (m + mrI - 1) / mrI
                let perUnit = max(1, (tiles + unitsWanted - 1) / unitsWanted)
                PackThenCompute.run(packs: depthBlocks * pieces, units: (tiles + perUnit - 1) / perUnit) { piece in
                    let (pc, kc, _) = depth(piece / pieces)
                    let j0 = (piece % pieces) * panelsPerPiece * nrI
                    let j1 = min(n, j0 + panelsPerPiece * nrI)
                    keel_pack_b(
                        transposeB ? 1 : 0, transposeB ? b + j0 * ldb + pc : b + pc * ldb + j0, ldb, kc, j1 - j0, nr,
                        packedB + (piece / pieces) * columns * kcMax + j0 * kc)
                } compute: { u in
                    let i0 = u * perUnit * mrI
                    let i1 = min(m, i0 + perUnit * mrI)
                    ScratchPool.shared.withBuffer(count: perUnit * mrI * kcMax) { packedA in
                        for d in 0..<depthBlocks {
                            let (pc, kc, accumulate) = depth(d)
                            keel_pack_a(
                                transposeA ? 1 : 0, transposeA ? a + pc * lda + i0 : a + i0 * lda + pc, lda, i1 - i0, kc,
                                mr, alpha, packedA)
                            keel_gemm_block(i1 - i0, n, kc, packedA, packedB + d * columns * kcMax, c + i0 * ldc, ldc, accumulate)
                        }
                    }
                }
            }
        }
    }

    /// The threaded driver for large products: per block of columns and of depth, B's block and A's row blocks
    /// (for up to `superRows` rows at a time) are packed once, in pieces shared out between threads, then units
    /// of (A's row block, a chunk of B's columns) are shared out by the pool. Every element is the same FMA
    /// chain as in `keel_sgemm`.
    private static func runShared(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var mr: Int32 = 0
        var nr: Int32 = 0
        var kcMax = 0
        var mcMax = 0
        var ncMax = 0
        keel_gemm_blocking(&mr, &nr, &kcMax, &mcMax, &ncMax)
        let (mrI, nrI) = (Int(mr), Int(nr))
        if beta != 0 && beta != 1 {
            Parallel.forRanges(m, minimumPerThread: 16) { r in keel_gemm_scale(r.count, n, beta, c + r.lowerBound * ldc, ldc) }
        }
        let threads = Parallel.threadCount
        // A's packed blocks for at most this many rows at a time (about 8 MiB).
        let superRows = max(mcMax, (1 << 21) / kcMax / mcMax * mcMax)
        let columnsPadded = (min(ncMax, n) + nrI - 1) / nrI * nrI
        let rowsPadded = (min(superRows, m) + mrI - 1) / mrI * mrI + mcMax
        ScratchPool.shared.withBuffer(count: kcMax * columnsPadded) { packedB in
            ScratchPool.shared.withBuffer(count: kcMax * rowsPadded) { packedA in
                for jc in stride(from: 0, to: n, by: ncMax) {
                    let nc = min(ncMax, n - jc)
                    let panels = (nc + nrI - 1) / nrI
                    for pc in stride(from: 0, to: k, by: kcMax) {
                        let kc = min(kcMax, k - pc)
                        let accumulate: Int32 = pc > 0 || beta != 0 ? 1 : 0
                        for ms in stride(from: 0, to: m, by: superRows) {
                            let rows = min(superRows, m - ms)
                            let blocksA = (rows + mcMax - 1) / mcMax
                            // B's pieces (only with the first rows), then A's blocks; then the units.
                            let panelsPerPiece = max(4, (panels + 2 * threads - 1) / (2 * threads))
                            let piecesB = ms == 0 ? (panels + panelsPerPiece - 1) / panelsPerPiece : 0
                            let chunks = max(1, min(panels, (4 * threads + blocksA - 1) / blocksA))
                            let panelsPerChunk = (panels + chunks - 1) / chunks
                            PackThenCompute.run(packs: piecesB + blocksA, units: blocksA * chunks) { piece in
                                if piece < piecesB {
                                    let j0 = piece * panelsPerPiece * nrI
                                    let j1 = min(nc, j0 + panelsPerPiece * nrI)
                                    let source = transposeB ? b + (jc + j0) * ldb + pc : b + pc * ldb + jc + j0
                                    keel_pack_b(transposeB ? 1 : 0, source, ldb, kc, j1 - j0, nr, packedB + j0 * kc)
                                } else {
                                    let i0 = (piece - piecesB) * mcMax
                                    let ic = ms + i0
                                    let mc = min(mcMax, rows - i0)
                                    let source = transposeA ? a + pc * lda + ic : a + ic * lda + pc
                                    keel_pack_a(transposeA ? 1 : 0, source, lda, mc, kc, mr, alpha, packedA + i0 * kc)
                                }
                            } compute: { unit in
                                let i0 = (unit / chunks) * mcMax
                                let mc = min(mcMax, rows - i0)
                                let j0 = (unit % chunks) * panelsPerChunk * nrI
                                let j1 = min(nc, j0 + panelsPerChunk * nrI)
                                if j0 >= j1 { return }
                                keel_gemm_block(
                                    mc, j1 - j0, kc, packedA + i0 * kc, packedB + j0 * kc,
                                    c + (ms + i0) * ldc + jc + j0, ldc, accumulate)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One parallel job in two phases: `packs` packing pieces, then `units` that read what they packed. Every piece
/// is taken before any unit (the pool's first phase); a unit waits (spinning) until all pieces are done. Saves
/// the second job's start and the barrier between them.
enum PackThenCompute {
    private final class Progress: @unchecked Sendable {
        let packed = Atomic<Int>(0)
    }

    static func run(packs: Int, units: Int, pack: (Int) -> Void, compute: (Int) -> Void) {
        let progress = Progress()
        Parallel.forEach(packs + units, firstPhase: packs) { i in
            if i < packs {
                pack(i)
                progress.packed.wrappingAdd(1, ordering: .releasing)
            } else {
                while progress.packed.load(ordering: .acquiring) < packs { keel_spin_pause() }
                compute(i - packs)
            }
        }
    }
}
