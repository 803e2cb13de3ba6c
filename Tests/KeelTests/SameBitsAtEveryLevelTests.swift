import CKeelKernels
import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// The promise of docs/ARCHITECTURE.md ("Same numbers on every CPU"): every kernel gives the same bits at
/// every instruction-set level this CPU has, and the GEMM follows its specified chain of fused
/// multiply-adds exactly.
struct SameBitsAtEveryLevelTests {
    static let levels = KernelLevel.available

    static func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    /// The first index where two arrays differ in bits, for messages.
    static func firstDifference(_ a: [Float], _ b: [Float]) -> String {
        guard let i = zip(a, b).enumerated().first(where: { $0.element.0.bitPattern != $0.element.1.bitPattern })?.offset
        else { return a.count == b.count ? "none" : "lengths \(a.count) vs \(b.count)" }
        return "[\(i)]: \(a[i]) vs \(b[i])"
    }

    // MARK: GEMM

    /// c ← β·c (0 when β = 0), then c ← fma(α·a[k], b[k], c) for k in order: the arithmetic keel_sgemm promises.
    static func specifiedGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int
    ) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var total: Float = beta == 0 ? 0 : (beta == 1 ? c[i * ldc + j] : beta * c[i * ldc + j])
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    total.addProduct(alpha == 1 ? av : alpha * av, bv)
                }
                out[i * ldc + j] = total
            }
        }
        return out
    }

    static func runGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int, threads: Int
    ) -> [Float] {
        var out = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: beta,
                        c: pc.baseAddress!, ldc: ldc, threads: threads)
                }
            }
        }
        return out
    }

    @Test(arguments: levels)
    func gemmIsTheSpecifiedChainOfFusedMultiplyAdds(level: KernelLevel) {
        // K = 700 crosses every level's K-block boundary (256 and 384); odd M and N leave edge tiles.
        let shapes = [(1, 1, 1), (7, 5, 3), (13, 37, 700), (50, 70, 33), (97, 33, 260)]
        let scalings: [(Float, Float)] = [(1, 0), (1, 1), (0.5, -2), (-1.5, 0)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let (alpha, beta) = scalings[(index + (transposeA ? 1 : 0) + (transposeB ? 2 : 0)) % scalings.count]
                    let pad = index % 2 * 3
                    let lda = (transposeA ? m : k) + pad
                    let ldb = (transposeB ? k : n) + pad
                    let ldc = n + pad
                    let a = randomTensor([(transposeA ? k : m) * lda], seed: 11).scalars
                    let b = randomTensor([(transposeB ? n : k) * ldb], seed: 12).scalars
                    let c = randomTensor([m * ldc], seed: 13).scalars
                    let expected = Self.specifiedGEMM(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                    let got = KernelLevel.with(level) {
                        Self.runGEMM(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: 1)
                    }
                    #expect(
                        Self.sameBits(got, expected),
                        "\(level) tA \(transposeA) tB \(transposeB) \(m)×\(n)×\(k) α \(alpha) β \(beta): \(Self.firstDifference(got, expected))")
                }
            }
        }
    }

    /// Every threaded driver (C split once; one side packed whole; B shared per block) gives the single-thread
    /// portable bits: a small side of rows or of columns, transposed operands, β = 1, and a large product.
    @Test(arguments: [
        (300, 200, 500, false, false, Float(0)), (64, 300, 700, false, true, 0), (40, 900, 64, true, false, 1),
        (700, 48, 530, true, true, 0), (1030, 1040, 40, false, false, 1),
    ])
    func gemmIsTheSameAtEveryLevelAndThreadCount(_ shape: (Int, Int, Int, Bool, Bool, Float)) {
        let (m, n, k, transposeA, transposeB, beta) = shape
        let a = randomTensor([m * k], seed: 21).scalars
        let b = randomTensor([k * n], seed: 22).scalars
        let c = randomTensor([m * n], seed: 23).scalars
        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        let reference = KernelLevel.with(.portable) {
            Self.runGEMM(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b,
                ldb: ldb, beta: beta, c: c, ldc: n, threads: 1)
        }
        for level in Self.levels {
            for threads in [1, 2, 3] {
                let got = KernelLevel.with(level) {
                    withThreads(threads) {
                        Self.runGEMM(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                            b: b, ldb: ldb, beta: beta, c: c, ldc: n, threads: threads)
                    }
                }
                #expect(Self.sameBits(got, reference), "\(m)×\(n)×\(k) at \(level), \(threads) threads: \(Self.firstDifference(got, reference))")
            }
        }
    }

    // MARK: Element-wise kernels and sums

    /// Inputs that reach every branch: a dense sweep, huge and tiny magnitudes, subnormals, the exp limits.
    static let inputs: [Float] = {
        var x = (0..<4001).map { Float(-100) + Float($0) * 0.05 }
        x += [
            0, -0.0, 1e-7, -1e-7, 1e-30, -1e-30, Float(1e-20) * 1e-20, Float(-1e-20) * 1e-20, Float.leastNonzeroMagnitude,
            -Float.leastNonzeroMagnitude,
            88.7, -88.7, 88.72, -88.72, 88.73, -103.9, -104, 103.9, 1e3, -1e3, 1e4, -1e4, 3e38, -3e38,
            .infinity, -.infinity, 0.5, -0.5, 0.625, -0.625, 3, -3, 6,
        ]
        x += (0..<300).map { Float(sign: $0 % 2 == 0 ? .plus : .minus, exponent: $0 / 2 - 149, significand: 1.37) }
        return x
    }()

    static func apply(_ level: KernelLevel, _ x: [Float], _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        KernelLevel.with(level) {
            x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { kernel(px.baseAddress!, $0.baseAddress!, x.count) } }
        }
        return y
    }

    @Test func expAndLogAreTheSameAtEveryLevel() {
        let x = Self.inputs + Self.inputs.map { Swift.abs($0) }
        for (name, kernel) in [("exp", { keel_vexp($0, $1, $2) }), ("log", { keel_vlog($0, $1, $2) })]
            as [(String, (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)]
        {
            let reference = Self.apply(.portable, x, kernel)
            for level in Self.levels {
                // Every tail length too.
                for count in [x.count, 1, 3, 7, 15, 17, 33] {
                    let part = Array(x.suffix(count))
                    let got = Self.apply(level, part, kernel)
                    let want = Array(reference.suffix(count))
                    #expect(Self.sameBits(got, want), "\(name) at \(level), \(count) values: \(Self.firstDifference(got, want))")
                }
            }
        }
    }

    @Test func sumsUseOneTreeAtEveryLevel() {
        let x = randomTensor([100_003], seed: 31, low: -1e3, high: 1e3).scalars
        for n in Array(0...130) + [1000, 4099, 16384, 100_003] {
            let values = Array(x.prefix(n))
            let reference = KernelLevel.with(.portable) { keel_vsum(values, n) }
            for level in Self.levels {
                let got = KernelLevel.with(level) { keel_vsum(values, n) }
                #expect(got.bitPattern == reference.bitPattern, "sum of \(n) at \(level): \(got) vs \(reference)")
            }
        }
        // The tree itself: 64 lanes, then halves.
        let values = (0..<130).map { Float($0) * 0.1 + 1e-3 }
        var lanes = [Float](repeating: 0, count: 64)
        for (i, v) in values.enumerated() { lanes[i % 64] += v }
        var width = 32
        while width >= 1 {
            for j in 0..<width { lanes[j] += lanes[j + width] }
            width /= 2
        }
        for level in Self.levels {
            #expect(KernelLevel.with(level) { keel_vsum(values, values.count) }.bitPattern == lanes[0].bitPattern, "\(level)")
        }
    }

    @Test(arguments: Activation.all)
    func activationsAreTheSameAtEveryLevel(_ f: Activation) {
        let x = Tensor(Self.inputs)
        let upstream = Tensor((0..<Self.inputs.count).map { Float($0 % 7) - 3.25 })
        func run(_ level: KernelLevel) -> ([Float], [Float]) {
            KernelLevel.with(level) {
                let leaf = x.requiringGradient()
                let y = leaf.activation(f)
                y.backward(upstream)
                return (y.scalars, leaf.gradient!.scalars)
            }
        }
        let (y0, d0) = run(.portable)
        for level in Self.levels {
            let (y, d) = run(level)
            #expect(Self.sameBits(y, y0), "\(f.name) f at \(level): \(Self.firstDifference(y, y0))")
            #expect(Self.sameBits(d, d0), "\(f.name) f′ at \(level): \(Self.firstDifference(d, d0))")
        }
    }

    /// Max pooling (SIMD 2×2 kernel and the general path): values and which element won (seen through the
    /// gradient), with many ties, at every level.
    @Test func maxPoolingIsTheSameAtEveryLevel() {
        // Values from a small set, so windows tie often; 2×2 stride 2 on widths that leave SIMD blocks and tails.
        let x = Tensor(shape: [2, 3, 36, 35], scalars: (0..<(2 * 3 * 36 * 35)).map { Float(($0 * 7919) % 5) - 2 })
        func run(_ level: KernelLevel, kernel: (Int, Int), stride: (Int, Int)) -> ([Float], [Float]) {
            KernelLevel.with(level) {
                let leaf = x.requiringGradient()
                let y = maxPool2d(leaf, kernelSize: kernel, stride: stride)
                y.backward(Tensor((0..<y.count).map { Float($0 % 11) + 1 }).reshaped(y.shape))
                return (y.scalars, leaf.gradient!.scalars)
            }
        }
        for (kernel, stride) in [((2, 2), (2, 2)), ((2, 2), (1, 1)), ((3, 3), (2, 2))] {
            let (y0, g0) = run(.portable, kernel: kernel, stride: stride)
            for level in Self.levels {
                let (y, g) = run(level, kernel: kernel, stride: stride)
                #expect(Self.sameBits(y, y0) && Self.sameBits(g, g0), "max pool \(kernel) stride \(stride) at \(level)")
            }
        }
    }

    @Test func batchNormIsTheSameAtEveryLevelAndThreadCount() {
        // Widths 37 and 64 leave tails and whole 16-lane blocks; an offset mean exercises the one-pass moments.
        for (shape, offset) in [([3, 4, 5, 37], Float(100)), ([5, 3, 8, 8], Float(-2))] {
            var g = KeelRandom(seed: 9)
            let x = (Tensor.normal(shape, generator: &g) * 3 + offset).scalars
            let (weight, bias) = (Tensor.normal([shape[1]], generator: &g), Tensor.normal([shape[1]], generator: &g))
            let upstream = Tensor.normal(shape, generator: &g)
            func run(_ level: KernelLevel, threads: Int, relu: Bool) -> [Float] {
                withThreads(threads) {
                    KernelLevel.with(level) {
                        let leaf = Tensor(shape: shape, scalars: x).requiringGradient()
                        let (w, b) = (weight.requiringGradient(), bias.requiringGradient())
                        let (y, mean, variance) = batchNormTraining(leaf, weight: w, bias: b, epsilon: 1e-5, relu: relu)
                        y.backward(upstream)
                        return y.scalars + leaf.gradient!.scalars + w.gradient!.scalars + b.gradient!.scalars + mean + variance
                    }
                }
            }
            for relu in [false, true] {
                let reference = run(.portable, threads: 1, relu: relu)
                for level in Self.levels {
                    for threads in [1, 2] {
                        let result = run(level, threads: threads, relu: relu)
                        #expect(
                            Self.sameBits(result, reference),
                            "batch norm \(shape) relu \(relu) at \(level), \(threads) threads: \(Self.firstDifference(result, reference))")
                    }
                }
            }
        }
    }

    // MARK: Training

    static func trainedWeights(cnn: Bool, level: KernelLevel, threads: Int) -> [[Float]] {
        withThreads(threads) {
            KernelLevel.with(level) {
                var g = KeelRandom(seed: 5)
                let model: Sequential =
                    cnn
                    ? Sequential {
                        Conv2d(1, 4, kernelSize: 3, generator: &g)
                        ReLU()
                        MaxPool2d(kernelSize: 2)
                        Conv2d(4, 6, kernelSize: 3, generator: &g)
                        ActivationLayer(.gelu)
                        MaxPool2d(kernelSize: 2)
                        Flatten()
                        Linear(6 * 5 * 5, 10, generator: &g)
                    }
                    : Sequential {
                        Flatten()
                        Linear(28 * 28, 40, generator: &g)
                        ActivationLayer(.tanh)
                        Linear(40, 30, generator: &g)
                        ActivationLayer(.silu)
                        Linear(30, 10, generator: &g)
                    }
                let optimizer = Adam(model.namedParameters, learningRate: 0.01)
                for step in 0..<3 {
                    var data = KeelRandom(seed: 100 + UInt64(step))
                    let x = Tensor.normal([16, 1, 28, 28], generator: &data)
                    let labels = (0..<16).map { Int32(($0 * 7 + step) % 10) }
                    optimizer.zeroGrad()
                    crossEntropy(logits: model(x), labels: labels).backward()
                    optimizer.step()
                }
                return model.namedParameters.map { $0.parameter.value.scalars }
            }
        }
    }

    @Test(arguments: [false, true])
    func trainingGivesTheSameWeightsAtEveryLevelAndThreadCount(cnn: Bool) {
        let reference = Self.trainedWeights(cnn: cnn, level: .portable, threads: 1)
        for level in Self.levels {
            for threads in [1, 2] where !(level == .portable && threads == 1) {
                let got = Self.trainedWeights(cnn: cnn, level: level, threads: threads)
                for (i, (a, b)) in zip(got, reference).enumerated() {
                    #expect(
                        Self.sameBits(a, b), "\(cnn ? "cnn" : "mlp") parameter \(i) at \(level), \(threads) threads: \(Self.firstDifference(a, b))")
                }
            }
        }
    }

    // MARK: Choosing the level

    @Test func helperThreadsRunAtTheCallersLevel() {
        for level in Self.levels {
            let seen = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 64)
            defer { seen.deallocate() }
            withThreads(2) {
                KernelLevel.with(level) {
                    Parallel.forEach(64) { i in
                        var spin = 0
                        for j in 0..<20_000 { spin &+= j }  // long enough for a helper to take some indices
                        seen[i] = keel_cpu_level() + Int32(spin & 0)
                    }
                }
            }
            #expect(seen.allSatisfy { $0 == Int32(level.rawValue) }, "\(level): \(Array(seen))")
        }
        #expect(KernelLevel.current == (ProcessEnvironment.requestedLevel ?? KernelLevel.supported))
    }

    @Test func namesAndErrors() throws {
        for level in KernelLevel.allCases {
            #expect(KernelLevel(name: level.name) == level)
        }
        #expect(KernelLevel(name: "sse") == nil)
        #expect(KernelLevel.available.first == .portable && KernelLevel.available.last == KernelLevel.supported)
        if KernelLevel.supported < .avx512 {
            #expect(throws: KernelLevelError(requested: "avx512")) { try KernelLevel.select(.avx512) }
        }
        #expect(KernelLevelError(requested: "avx512").description.contains("not supported by this CPU") || KernelLevel.supported == .avx512)
        #expect(KernelLevel.environmentProblem == nil, "the test run's KEEL_CPU: \(KernelLevel.environmentProblem ?? "")")
    }
}

/// What the test process was started with (CI runs the suite once per level with KEEL_CPU).
enum ProcessEnvironment {
    static var requestedLevel: KernelLevel? {
        guard let raw = getenv("KEEL_CPU") else { return nil }
        return KernelLevel(name: String(cString: raw))
    }
}
