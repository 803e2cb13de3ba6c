import ArgumentParser
import Keel

/// `keel bench gemm --size N | --shape M,N,K [--transpose a|b|ab] --threads T [--json]`: GFLOPS of a
/// single-precision product C[M,N] = op(A)[M,K] · op(B)[K,N].
struct GEMMBench: Benchmark {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GFLOPS of an SGEMM (N×N×N or M,N,K).")

    @Option(help: "Matrix size N (M = N = K).") var size: Int = 1024
    @Option(help: "M,N,K instead of --size, e.g. 64,256,784 (a Linear layer's forward at batch 64).") var shape: String?
    @Option(help: "Which operands are stored transposed: a, b or ab.") var transpose: String = ""
    @OptionGroup var common: BenchOptions
    @Option(help: "Timed repetitions (best is reported).") var repeats: Int = 10

    func validate() throws {
        guard (1...8192).contains(size) else { throw ValidationError("--size must be in 1…8192, got \(size)") }
        try validateRepeats(repeats)
        guard ["", "a", "b", "ab"].contains(transpose) else { throw ValidationError("--transpose must be a, b or ab") }
        _ = try dimensions()
    }

    func dimensions() throws -> (m: Int, n: Int, k: Int) {
        guard let shape else { return (size, size, size) }
        let parts = shape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let m = parts[0], let n = parts[1], let k = parts[2],
            (1...65536).contains(m), (1...65536).contains(n), (1...65536).contains(k), m * n <= 1 << 26, m * k <= 1 << 26, k * n <= 1 << 26
        else { throw ValidationError("--shape must be M,N,K with each in 1…65536 and each matrix at most 2^26 floats, got '\(shape)'") }
        return (m, n, k)
    }

    func measure() throws {
        let t = Parallel.threadCount
        let (m, n, k) = try dimensions()
        let ta = transpose.contains("a")
        let tb = transpose.contains("b")
        var generator = KeelRandom(seed: 42)
        let a = Tensor.uniform([m * k], low: -1, high: 1, generator: &generator)
        let b = Tensor.uniform([k * n], low: -1, high: 1, generator: &generator)
        var c = Tensor.zeros([m * n])
        let seconds = bestTime(repeats: repeats) {
            a.withUnsafePointer { pa in
                b.withUnsafePointer { pb in
                    c.withUnsafeMutablePointer { pc in
                        gemm(
                            transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: pa, lda: ta ? m : k, b: pb, ldb: tb ? k : n,
                            c: pc, ldc: n, threads: t)
                    }
                }
            }
        }
        let gflops = 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
        if common.json {
            print(
                jsonObject([
                    ("benchmark", "gemm"), ("size", m == n && n == k ? m : 0), ("m", m), ("n", n), ("k", k),
                    ("transpose", transpose), ("threads", t), ("gflops", gflops), ("seconds", seconds),
                    ("kernel", GEMM.kernelName),
                ]))
        } else {
            print(
                "gemm \(m)×\(n)×\(k)\(transpose.isEmpty ? "" : " (transposed: \(transpose))"), \(t) thread(s), kernel \(GEMM.kernelName): "
                    + String(format: "%.1f GFLOPS (%.3f ms)", gflops, seconds * 1e3))
        }
    }
}
