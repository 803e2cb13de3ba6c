import ArgumentParser
import Keel

/// `keel bench gemm --size N --threads T [--json]`: GFLOPS of an N×N×N single-precision product.
struct GEMMBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GFLOPS of an N×N×N SGEMM.")

    @Option(help: "Matrix size N (M = N = K).") var size: Int = 1024
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @OptionGroup var kernels: KernelOptions
    @Option(help: "Timed repetitions (best is reported).") var repeats: Int = 10
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            if !json { print(MachineDescription.line) }
            try measure()
        }
    }

    func measure() throws {
        let t = threads ?? Parallel.threadCount
        Parallel.threadCount = t
        var generator = KeelRandom(seed: 42)
        let a = Tensor.uniform([size, size], low: -1, high: 1, generator: &generator)
        let b = Tensor.uniform([size, size], low: -1, high: 1, generator: &generator)
        var c = Tensor.zeros([size, size])
        let n = size
        let seconds = bestTime(repeats: repeats) {
            a.withUnsafePointer { pa in
                b.withUnsafePointer { pb in
                    c.withUnsafeMutablePointer { pc in
                        gemm(m: n, n: n, k: n, a: pa, lda: n, b: pb, ldb: n, c: pc, ldc: n, threads: t)
                    }
                }
            }
        }
        let gflops = 2 * Double(n) * Double(n) * Double(n) / seconds / 1e9
        if json {
            print(jsonObject([("benchmark", "gemm"), ("size", n), ("threads", t), ("gflops", gflops),
                              ("seconds", seconds), ("kernel", GEMM.kernelName)]))
        } else {
            print("gemm \(n)×\(n)×\(n), \(t) thread(s), kernel \(GEMM.kernelName): " +
                  String(format: "%.1f GFLOPS (%.3f ms)", gflops, seconds * 1e3))
        }
    }
}

import Foundation
